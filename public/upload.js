// The editors' upload form, improved where scripts run (it works without): a file dropped
// anywhere on the form is taken, and the upload goes through XMLHttpRequest so a progress bar
// shows what is sent (a 50 MB book over a slow network takes minutes). The answer — the
// book's page, or the form with the reason of a refusal — replaces the page's main content,
// as the browser would have shown it. Texts come translated from the page (data-t-*).
(function () {
  'use strict';
  const fill = (text, values) => Object.entries(values).reduce((s, [k, v]) => s.split(`{${k}}`).join(v), text || '');
  const lang = document.documentElement.lang || 'fr';
  const mb = (n) => (n / (1024 * 1024)).toLocaleString(lang, { maximumFractionDigits: 1 });

  function bind() {
    const form = document.querySelector('form[data-upload]');
    if (!form || form.dataset.bound) return;
    form.dataset.bound = '1';
    const input = form.querySelector('input[type=file]');
    const bar = form.querySelector('progress');
    const status = form.querySelector('[data-upload-status]');
    const button = form.querySelector('button[type=submit]');

    // Drag and drop onto the whole form.
    ['dragenter', 'dragover'].forEach((t) => form.addEventListener(t, (e) => { e.preventDefault(); form.dataset.dragging = '1'; }));
    ['dragleave', 'drop'].forEach((t) => form.addEventListener(t, () => { delete form.dataset.dragging; }));
    form.addEventListener('drop', (e) => {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        status.textContent = fill(form.dataset.tChosen, { name: e.dataTransfer.files[0].name });
      }
    });

    form.addEventListener('submit', (e) => {
      if (!input.files.length || !window.FormData || !window.DOMParser) return;
      e.preventDefault();
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', (p) => {
        if (!p.lengthComputable) return;
        bar.max = p.total;
        bar.value = p.loaded;
        status.textContent = fill(form.dataset.tProgress, { percent: String(Math.floor((100 * p.loaded) / p.total)), sent: mb(p.loaded), total: mb(p.total) });
      });
      xhr.upload.addEventListener('load', () => { status.textContent = form.dataset.tReading; });
      xhr.addEventListener('load', () => {
        const doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
        const main = doc.querySelector('main');
        if (!main) { status.textContent = form.dataset.tFailed; button.disabled = false; return; }
        if (xhr.responseURL && xhr.responseURL !== location.href) history.pushState(null, '', xhr.responseURL);
        document.title = doc.title;
        document.querySelector('main').replaceWith(main);
        main.focus();
        bind();
      });
      xhr.addEventListener('error', () => { status.textContent = form.dataset.tFailed; bar.hidden = true; button.disabled = false; });
      // The reason a previous file was refused no longer applies to this one.
      document.querySelectorAll('main [role=alert]').forEach((el) => { el.hidden = true; });
      form.querySelectorAll('[id$="-error"]').forEach((el) => { el.hidden = true; });
      input.removeAttribute('aria-invalid');
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      status.textContent = fill(form.dataset.tProgress, { percent: '0', sent: mb(0), total: mb(input.files[0].size) });
      xhr.send(new FormData(form));
    });
  }
  // Going back to the form after an upload reloads it as it is on the server.
  window.addEventListener('popstate', () => location.reload());
  bind();
})();
