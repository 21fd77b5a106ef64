// The page side of Coko's offline mode (no framework, loaded on every page): registers the
// service worker, shows the offline badge and the changes waiting to sync, the install button
// and the new-version toast, downloads books for offline reading and lists them. Every text
// comes from the server-rendered page (data-t-* attributes), already translated.
(function () {
  'use strict';
  if (!('serviceWorker' in navigator) || !window.caches || !window.indexedDB) return;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const user = ($('meta[name="coko-user"]') || {}).content || '';
  const lang = document.documentElement.lang || 'fr';
  const fill = (text, values) => Object.entries(values).reduce((s, [k, v]) => s.split(`{${k}}`).join(v), text || '');
  // A counted text from its forms (JSON, one per CLDR plural form of the page's language).
  const count = (formsJson, n) => {
    let forms = {};
    try { forms = JSON.parse(formsJson || '{}'); } catch (_) { /* no forms: empty text */ }
    const lang = document.documentElement.lang || 'fr';
    const form = new Intl.PluralRules(lang).select(n);
    return fill(forms[form] ?? forms.other, { n: new Intl.NumberFormat(lang).format(n) });
  };

  function size(bytes) {
    const mb = bytes / (1024 * 1024);
    const fmt = (n, d) => n.toLocaleString(lang, { maximumFractionDigits: d });
    return mb >= 1 ? `${fmt(mb, 1)} ${lang === 'en' ? 'MB' : lang === 'ar' ? 'م.ب' : 'Mo'}` : `${fmt(Math.max(1, Math.round(bytes / 1024)), 0)} ${lang === 'en' ? 'KB' : lang === 'ar' ? 'ك.ب' : 'Ko'}`;
  }

  function tell(msg) {
    const sw = navigator.serviceWorker.controller;
    if (sw) sw.postMessage(msg);
  }

  // --- status: offline badge, changes waiting -----------------------------------------------
  const bar = $('#pwa-bar');
  async function status() {
    if (!bar) return;
    const offline = !navigator.onLine;
    const waiting = user ? await CokoStore.pending(user).catch(() => 0) : 0;
    const badge = $('[data-offline]', bar);
    const pending = $('[data-pending]', bar);
    badge.hidden = !offline;
    pending.hidden = waiting === 0;
    pending.textContent = count(bar.dataset.tPending, waiting);
    bar.hidden = !offline && waiting === 0;
    bar.dataset.waiting = String(waiting);
  }
  window.addEventListener('online', () => { tell({ type: 'replay' }); status(); });
  window.addEventListener('offline', status);
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'outbox') status();
  });

  // --- the worker, and its new versions ------------------------------------------------------
  async function register() {
    const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' });
    const toast = $('#pwa-update');
    const offer = (worker) => {
      if (!toast || !navigator.serviceWorker.controller) return;
      toast.hidden = false;
      $('button', toast).onclick = () => {
        navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
        worker.postMessage({ type: 'skip-waiting' });
      };
    };
    const watch = (worker) => {
      if (worker) worker.addEventListener('statechange', () => { if (worker.state === 'installed') offer(worker); });
    };
    if (reg.waiting) offer(reg.waiting);
    watch(reg.installing);
    reg.addEventListener('updatefound', () => watch(reg.installing));
    await navigator.serviceWorker.ready;
    tell({ type: 'hello', user });
    if (!navigator.serviceWorker.controller) {
      navigator.serviceWorker.addEventListener('controllerchange', () => tell({ type: 'hello', user }), { once: true });
    }
  }

  // --- install -------------------------------------------------------------------------------
  let installEvent = null;
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault();
    installEvent = e;
    const button = $('#pwa-install');
    if (!button) return;
    button.hidden = false;
    button.onclick = async () => {
      button.hidden = true;
      installEvent.prompt();
      installEvent = null;
    };
  });

  // --- downloads -----------------------------------------------------------------------------
  async function dataSaver() {
    return Boolean(await CokoStore.get('dataSaver').catch(() => false));
  }

  function cellular() {
    const c = navigator.connection;
    return Boolean(c && (c.type === 'cellular' || c.saveData));
  }

  async function download(box) {
    const book = box.dataset.download;
    const say = (text) => { $('[data-download-status]', box).textContent = text; };
    const bar = $('progress', box);
    const start = $('[data-download-start]', box);
    if (await dataSaver() && cellular()) return say(box.dataset.tWifiOnly);
    start.disabled = true;
    try {
      const listed = await fetch(`/lire/${encodeURIComponent(book)}/hors-ligne`, { credentials: 'same-origin' });
      if (!listed.ok) throw new Error(`list ${listed.status}`);
      const list = await listed.json();
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => false);
      const cache = await caches.open(CokoStore.bookCache(list.user, list.book));
      const urls = list.urls.concat(list.api, list.cover && !(await dataSaver()) ? [list.cover] : []);
      bar.hidden = false;
      let got = 0;
      let kept = 0;
      for (const url of urls) {
        const res = await fetch(url, { credentials: 'same-origin' });
        if (res.ok) {
          const blob = await res.clone().blob();
          kept += blob.size;
          await cache.put(url, res);
        } else if (url.includes('/contenu/') || url.startsWith('/files/books/') || url === `/lire/${list.book}`) {
          throw new Error(`${url} ${res.status}`);
        }
        got += 1;
        const pct = Math.min(99, Math.round((100 * got) / urls.length));
        bar.value = pct;
        say(fill(box.dataset.tProgress, { percent: String(pct) }));
      }
      // The reader's engine (the worker keeps it), and the pages that lead to the book.
      for (const url of list.reader) await fetch(url).catch(() => null);
      const pages = await caches.open('coko-pages');
      for (const url of ['/ma-bibliotheque', '/telechargements']) {
        const res = await fetch(url, { credentials: 'same-origin' }).catch(() => null);
        if (res && res.ok && !res.redirected) await pages.put(url, res);
      }
      await CokoStore.saveDownload({ user: list.user, book: list.book, title: list.title, authors: list.authors, bytes: kept, at: Date.now() });
      bar.value = 100;
      show(box, true, kept);
    } catch (e) {
      say(box.dataset.tFailed);
      start.disabled = false;
      bar.hidden = true;
    }
  }

  async function remove(book) {
    await caches.delete(CokoStore.bookCache(user, book));
    await CokoStore.forget(user, book);
  }

  function show(box, done, bytes) {
    $('[data-download-start]', box).hidden = done;
    $('[data-download-size]', box).hidden = done;
    $('[data-download-start]', box).disabled = false;
    $('[data-download-remove]', box).hidden = !done;
    $('progress', box).hidden = true;
    $('[data-download-status]', box).textContent = done ? fill(box.dataset.tDone, { size: size(bytes) }) : '';
  }

  async function downloadButtons() {
    for (const box of $$('[data-download]')) {
      if (!user) continue;
      box.hidden = false;
      const kept = await CokoStore.download(user, box.dataset.download).catch(() => null);
      show(box, Boolean(kept), kept ? kept.bytes : 0);
      $('[data-download-start]', box).onclick = () => download(box);
      $('[data-download-remove]', box).onclick = async () => {
        await remove(box.dataset.download);
        show(box, false, 0);
        $('[data-download-status]', box).textContent = box.dataset.tRemoved;
      };
    }
  }

  // The downloads page and the offline page list what this account keeps here.
  async function lists() {
    for (const list of $$('[data-downloads-list]')) {
      const items = user ? await CokoStore.downloads(user).catch(() => []) : [];
      items.sort((a, b) => b.at - a.at);
      const section = list.closest('[data-downloads-section]');
      if (section) section.hidden = items.length === 0;
      const empty = $('[data-downloads-empty]');
      if (empty) empty.hidden = items.length > 0;
      const used = $('[data-downloads-used]');
      if (used) used.textContent = fill(used.dataset.tUsed, { size: size(items.reduce((s, d) => s + (d.bytes || 0), 0)) });
      list.replaceChildren(...items.map((d) => {
        const li = document.createElement('li');
        li.className = 'flex flex-wrap items-center gap-x-4 gap-y-1 py-3';
        li.dataset.book = d.book;
        const a = document.createElement('a');
        a.href = `/lire/${encodeURIComponent(d.book)}`;
        a.className = 'min-w-0 flex-1 font-semibold text-teal-900 underline-offset-2 hover:underline dark:text-teal-200';
        a.dir = 'auto';
        a.textContent = d.title;
        const info = document.createElement('span');
        info.className = 'text-sm text-slate-700 dark:text-slate-300';
        info.textContent = [d.authors, size(d.bytes || 0)].filter(Boolean).join(' · ');
        li.append(a, info);
        if (list.dataset.removable !== undefined) {
          const b = document.createElement('button');
          b.type = 'button';
          b.className = 'rounded-lg border border-slate-400 px-3 py-1.5 text-sm font-semibold hover:bg-slate-100 dark:border-slate-500 dark:hover:bg-slate-800';
          b.textContent = list.dataset.tRemove;
          b.setAttribute('aria-label', `${list.dataset.tRemove} : ${d.title}`);
          b.onclick = async () => { await remove(d.book); lists(); };
          li.append(b);
        }
        return li;
      }));
    }
    const saver = $('#data-saver');
    if (saver) {
      saver.checked = await dataSaver();
      saver.onchange = async () => {
        await CokoStore.set('dataSaver', saver.checked);
        document.documentElement.dataset.saver = saver.checked ? 'on' : '';
      };
    }
  }

  // --- Web Push on this browser (the preferences page) --------------------------------------
  function keyBytes(s) {
    const raw = atob((s + '='.repeat((4 - (s.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  async function pushBox() {
    const box = $('[data-push]');
    if (!box) return;
    const on = $('[data-push-on]', box);
    const off = $('[data-push-off]', box);
    const say = (text, bad) => {
      const s = $('[data-push-status]', box);
      s.textContent = text || '';
      s.dataset.bad = bad ? 'true' : '';
    };
    if (!('PushManager' in window) || !('Notification' in window) || !box.dataset.key) return say(box.dataset.tUnsupported);
    const reg = await navigator.serviceWorker.ready;
    let sub = await reg.pushManager.getSubscription().catch(() => null);
    const show = () => { on.hidden = Boolean(sub); off.hidden = !sub; box.dataset.subscribed = sub ? 'true' : 'false'; };
    if (Notification.permission === 'denied') say(box.dataset.tBlocked, true);
    show();
    const post = (path, body) => fetch(path, {
      method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    on.onclick = async () => {
      on.disabled = true;
      say(box.dataset.tWorking);
      try {
        if (await Notification.requestPermission() !== 'granted') return say(box.dataset.tBlocked, true);
        try {
          sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key) });
        } catch (e) {
          return say(box.dataset.tUnreachable, true);
        }
        const res = await post('/api/v1/notifications/push/devices/', sub.toJSON());
        if (!res.ok) { await sub.unsubscribe().catch(() => false); sub = null; return say(box.dataset.tFailed, true); }
        location.reload();
      } finally { on.disabled = false; show(); }
    };
    off.onclick = async () => {
      off.disabled = true;
      try {
        const endpoint = sub && sub.endpoint;
        if (sub) await sub.unsubscribe().catch(() => false);
        sub = null;
        if (endpoint) await post('/api/v1/notifications/push/unsubscribe/', { endpoint });
        location.reload();
      } finally { off.disabled = false; show(); }
    };
  }

  async function start() {
    if (await dataSaver().catch(() => false)) document.documentElement.dataset.saver = 'on';
    await Promise.all([status(), downloadButtons(), lists()]);
    try { await register(); } catch (e) { /* no worker (e.g. not a secure context): the site works without */ }
    pushBox().catch(() => { /* the section keeps saying what it said */ });
    tell({ type: 'replay' });
    document.documentElement.dataset.pwa = 'ready';
  }
  start();
})();
