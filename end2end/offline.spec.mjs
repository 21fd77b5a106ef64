// Offline first: the installable app, a book downloaded and read with no network, what was done
// offline reaching the server exactly once when the network returns, never as someone else,
// and the bytes a reader's data plan pays. All traffic goes through a relay that counts bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BASE, DESKTOP, PHONE, bookId, controlled, launch, launchProfile, meteredServer, newPage, register as registerAccount, selectInBook, setOffline, shot, signIn as signInAs, unique, waitForServer } from './lib.mjs';

let browser;
let relay;
let B;
before(async () => {
  await waitForServer();
  browser = await launch();
  relay = await meteredServer();
  B = relay.url;
});
after(async () => { await browser?.close(); await relay?.close(); });

const PASSWORD = 'hors-ligne-secret-1';

const register = (email, name = 'Fatou Diop') => registerAccount(email, PASSWORD, name);
const signIn = (page, email, next = '') => signInAs(page, email, PASSWORD, { base: B, next });

async function signOut(page) {
  await page.goto(`${B}/profil`);
  await page.getByTestId('account-menu').locator('summary').click();
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.getByText('Vous êtes déconnecté').waitFor();
}

const ready = (page) => page.locator('#reader[data-ready="true"][data-locator]').waitFor();
const locatorOf = (page) => page.locator('#reader').getAttribute('data-locator');

/// The server's view, asked from the page with its session: (annotations, position).
async function serverState(page, id) {
  return page.evaluate(async (id) => {
    const a = await fetch(`/api/v1/reading/annotations/?book=${id}`, { cache: 'no-store' });
    const p = await fetch(`/api/v1/reading/progress/${id}/`, { cache: 'no-store' });
    return { annotations: a.ok ? (await a.json()).annotations : null, locator: p.ok ? (await p.json()).locator : null };
  }, id);
}

/// The changes this device still holds for the signed-in account (the status bar's count).
const waiting = (page) => page.evaluate(() => Number(document.querySelector('#pwa-bar')?.dataset.waiting ?? -1));

async function until(what, probe) {
  for (let i = 0; i < 150; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${what}`);
}

async function noteOn(page, needle, text) {
  await until(`"${needle}" is on the page`, () => selectInBook(page, needle).catch(() => false));
  await page.getByRole('toolbar', { name: 'Surligner' }).waitFor();
  await page.getByRole('button', { name: 'Ajouter une note' }).click();
  await page.getByLabel('Votre note sur ce passage').fill(text);
  await page.getByRole('button', { name: 'Enregistrer' }).click();
}

function pngSize(buf) {
  assert.equal(buf.subarray(1, 4).toString(), 'PNG');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

test('the manifest is valid, Chromium finds the app installable, and the worker controls the page', async () => {
  // A profile on disk: Chromium never offers to install from an incognito window.
  const profile = await launchProfile(PHONE);
  const page = profile.context.pages()[0] ?? await profile.context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${B}/`);
  await controlled(page);
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const fr = await (await fetch(`${BASE}${href}`)).json();
  assert.equal(fr.short_name, 'Coko');
  assert.equal(fr.display, 'standalone');
  assert.equal(fr.lang, 'fr');
  assert.match(fr.description, /hors|réseau/);
  assert.ok(fr.start_url.startsWith('/'));
  assert.match(fr.theme_color, /^#[0-9a-f]{6}$/);
  assert.match(fr.background_color, /^#[0-9a-f]{6}$/);
  for (const [size, purpose] of [['192x192', 'any'], ['512x512', 'any'], ['512x512', 'maskable']]) {
    const icon = fr.icons.find((i) => i.sizes === size && i.purpose === purpose);
    assert.ok(icon, `icon ${size} ${purpose}`);
    const res = await fetch(`${BASE}${icon.src}`);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.deepEqual(pngSize(Buffer.from(await res.arrayBuffer())), size.split('x').map(Number));
  }
  const en = await (await fetch(`${BASE}${href}`, { headers: { 'accept-language': 'en' } })).json();
  assert.equal(en.lang, 'en');
  assert.match(en.description, /offline|network/);

  // Chromium's own installability check (manifest, icons, worker with a fetch handler).
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);

  // The worker is versioned with the build and revalidated at every visit.
  const sw = await fetch(`${BASE}/sw.js`);
  assert.equal(sw.headers.get('cache-control'), 'no-cache');
  assert.match((await sw.text()).split('\n')[0], /^const BUILD = \{.*"version":"[0-9a-f]{12}"\};$/);
  assert.deepEqual(page.errors, []);
  await profile.close();
});

test('a downloaded book opens offline from Ma bibliothèque; what was done offline reaches the server once', async () => {
  const email = unique('horsligne');
  await register(email);
  const page = await newPage(browser, PHONE);
  const context = page.context();
  await signIn(page, email);
  await controlled(page);
  const id = await bookId('moby dick', 'Moby-Dick');

  // The book page says how much there is to download, then downloads it with progress.
  await page.goto(`${B}/livres/${id}`);
  await controlled(page);
  const box = page.getByTestId('download-box');
  await box.waitFor();
  await assert.doesNotReject(box.getByText(/Environ .* à télécharger/).waitFor());
  await shot(page, 'offline-book-page');
  await box.getByRole('button', { name: 'Télécharger pour lire hors ligne' }).click();
  await box.getByText(/Disponible hors ligne/).waitFor({ timeout: 60_000 });
  await shot(page, 'offline-downloaded');

  // The downloads page lists it with the space it takes.
  await page.goto(`${B}/telechargements`);
  await page.getByTestId('downloads-list').getByRole('link', { name: 'Moby-Dick' }).waitFor();
  assert.match(await page.locator('[data-downloads-used]').textContent(), /Espace utilisé : [\d,]+ (Mo|Ko)/);
  await shot(page, 'offline-downloads');

  // No network. The phone reloads, opens the library, then the book.
  relay.take();
  await setOffline(context, true);
  await page.goto(`${B}/ma-bibliotheque`);
  await page.locator('#pwa-bar [data-offline]').waitFor();
  await page.getByTestId('library-downloads').getByRole('link', { name: 'Moby-Dick' }).waitFor();
  await shot(page, 'offline-library');
  await page.locator('main a[href="/lire/' + id + '"]').first().click();
  await ready(page);
  const start = await locatorOf(page);
  await shot(page, 'offline-reader');
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((n) => Number(document.querySelector('#reader').dataset.turns) >= n, i + 1);
  }
  // Through the contents to the chapter with the famous line, then a highlight with a note.
  await page.locator('#reader-toc summary').click();
  await page.locator('#reader-toc a[data-spine="6"]').click();
  await page.waitForFunction(() => document.querySelector('#reader-frame').dataset.spine === '6' && document.querySelector('#reader').dataset.page === '0');
  await ready(page);
  await noteOn(page, 'Call me Ishmael.', 'Lu dans le bus, sans réseau.');
  await page.waitForFunction(() => document.querySelectorAll('#reader-notes-list [data-testid="note-item"]').length === 1);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => Number(document.querySelector('#reader').dataset.turns) >= 1);
  const offlineLocator = await locatorOf(page);
  assert.notEqual(offlineLocator, start);
  // The reader saves the position a moment after the turn; the worker keeps it.
  await until('two changes waiting', async () => (await waiting(page)) >= 2);
  await page.locator('[data-testid="pending-changes"]').waitFor();
  await shot(page, 'offline-pending');
  assert.equal(relay.take(), 0, 'nothing crossed the network while offline');

  // Reload while still offline: the note made offline is still there.
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelectorAll('#reader-notes-list [data-testid="note-item"]').length === 1);

  // The network returns: the outbox drains, in order, exactly once.
  await setOffline(context, false);
  await until('outbox drained', async () => (await waiting(page)) === 0);
  await until('server has the newer position', async () => (await serverState(page, id)).locator === offlineLocator);
  const state = await serverState(page, id);
  assert.equal(state.annotations.filter((a) => a.selected_text === 'Call me Ishmael.').length, 1);
  assert.equal(state.annotations[0].content, 'Lu dans le bus, sans réseau.');

  // Another device sees both.
  const other = await newPage(browser, DESKTOP);
  await signIn(other, email);
  await other.goto(`${B}/lire/${id}`);
  await ready(other);
  assert.equal(await locatorOf(other), offlineLocator);
  await other.waitForFunction(() => document.querySelectorAll('#reader-notes-list [data-testid="note-item"]').length === 1);
  await shot(other, 'offline-second-device');
  assert.deepEqual(page.errors.filter((e) => !e.startsWith('Blocked script execution') && !e.includes('ERR_INTERNET_DISCONNECTED')), []);
  await other.context().close();
  await context.close();
});

test('changes kept offline wait for their own account: never sent as someone else', async () => {
  const [awa, binta] = [unique('awa'), unique('binta')];
  await register(awa, 'Awa Ndiaye');
  await register(binta, 'Binta Sow');
  const id = await bookId('moby dick', 'Moby-Dick');
  const page = await newPage(browser, PHONE);
  const context = page.context();
  await signIn(page, awa);
  await controlled(page);
  await page.goto(`${B}/lire/${id}?partie=6`);
  await ready(page);

  // Offline, Awa highlights a passage. The network comes back but the reading API does not
  // answer yet (server trouble): her change stays waiting, and she signs out.
  await setOffline(context, true);
  await noteOn(page, 'Call me Ishmael.', 'Note d\u2019Awa');
  await until('Awa has a change waiting', async () => (await waiting(page)) >= 1);
  const trouble = (route) => (route.request().url().includes('/api/v1/reading/') ? route.fulfill({ status: 503, body: '' }) : route.continue());
  await context.route('**/api/v1/reading/**', trouble);
  await setOffline(context, false);
  await page.goto(`${B}/`);
  await controlled(page);
  await page.waitForTimeout(500);
  assert.ok((await waiting(page)) >= 1, 'still waiting after a failed replay');
  await signOut(page);
  await context.unroute('**/api/v1/reading/**', trouble);

  // Binta signs in on the same phone: Awa's change is not sent as hers.
  await signIn(page, binta);
  await page.goto(`${B}/ma-bibliotheque`);
  await controlled(page);
  await page.waitForTimeout(800);
  assert.deepEqual((await serverState(page, id)).annotations, []);
  assert.equal(await waiting(page), 0, 'Binta has nothing waiting');
  await signOut(page);

  // Awa signs in again: her change goes, once.
  await signIn(page, awa);
  await controlled(page);
  await until('Awa’s outbox drained', async () => (await waiting(page)) === 0);
  await until('the server has Awa’s note', async () => ((await serverState(page, id)).annotations || []).length === 1);
  const state = await serverState(page, id);
  assert.equal(state.annotations[0].content, 'Note d\u2019Awa');
  await context.close();
});

test('data saver: no cover images fetched; bytes for a first and a repeat visit, and for a downloaded book offline', async () => {
  const figures = {};
  // First visit of the catalogue on a new phone: the page, its assets, the worker's precache.
  const page = await newPage(browser, PHONE);
  relay.take();
  await page.goto(`${B}/catalogue`);
  await controlled(page);
  await page.waitForLoadState('networkidle');
  figures.catalogue_first_visit = relay.take();
  // A repeat visit: the shell comes from the worker; the page is shown from its copy and
  // refreshed behind.
  await page.goto(`${B}/catalogue`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
  figures.catalogue_repeat_visit = relay.take();

  // The data saver (on the downloads page), on another phone: covers it does not keep yet are
  // not fetched.
  const email = unique('econome');
  await register(email);
  const saver = await newPage(browser, PHONE);
  await signIn(saver, email, '/telechargements');
  await controlled(saver);
  await saver.getByLabel("Activer l'économiseur de données").check();
  await saver.locator('html[data-saver="on"]').waitFor({ state: 'attached' });
  await shot(saver, 'offline-data-saver');
  await saver.goto(`${B}/catalogue`);
  await saver.waitForLoadState('networkidle');
  const covers = await saver.evaluate(() => [...document.images].filter((i) => i.src.includes('/files/covers/') && i.complete && i.naturalWidth > 0).map((i) => i.naturalWidth));
  assert.ok(covers.length > 0, 'covers on screen were loaded');
  assert.ok(covers.every((w) => w <= 2), `covers replaced by the placeholder: ${covers}`);
  await saver.context().close();
  await signIn(page, email);

  // A downloaded book opened with no network costs nothing.
  const id = await bookId('moby dick', 'Moby-Dick');
  await page.goto(`${B}/livres/${id}`);
  await controlled(page);
  await page.getByRole('button', { name: 'Télécharger pour lire hors ligne' }).click();
  await page.getByText(/Disponible hors ligne/).waitFor({ timeout: 60_000 });
  await setOffline(page.context(), true);
  relay.take();
  await page.goto(`${B}/lire/${id}`);
  await ready(page);
  figures.downloaded_book_offline = relay.take();
  await setOffline(page.context(), false);
  assert.equal(figures.downloaded_book_offline, 0);
  // Removing it from the downloads page frees the space.
  await page.goto(`${B}/telechargements`);
  await page.getByRole('button', { name: 'Retirer de l\'appareil : Moby-Dick' }).click();
  await page.locator('[data-downloads-empty]').waitFor();
  assert.equal(await page.getByTestId('downloads-list').locator('li').count(), 0);
  assert.ok(!(await page.evaluate(() => caches.keys())).some((k) => k.startsWith('coko-book-')), 'the book cache is gone');
  for (const [k, v] of Object.entries(figures)) console.log(`bytes ${k}: ${v} (${(v / 1024).toFixed(1)} KB)`);
  fs.mkdirSync('target', { recursive: true });
  fs.writeFileSync('target/offline-bytes.json', JSON.stringify(figures, null, 2));
  await page.context().close();
});

test('a new build is announced with "Nouvelle version — recharger", which brings it in', async (t) => {
  const env = process.env;
  if (!env.LEPTOS_SITE_ROOT || !env.DATABASE_URL) return t.skip('needs the environment of the server under test (scripts/test.sh sets it)');
  const { spawn } = await import('node:child_process');
  const os = await import('node:os');
  const path = await import('node:path');
  // The next deploy: the same site with one shell file changed, on another port, same database.
  const site = fs.mkdtempSync(path.join(os.tmpdir(), 'coko-site-'));
  fs.cpSync(env.LEPTOS_SITE_ROOT, site, { recursive: true });
  fs.appendFileSync(path.join(site, 'pwa.js'), '\n// the next build\n');
  for (const ext of ['.br', '.gz']) fs.rmSync(path.join(site, `pwa.js${ext}`), { force: true });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const next = spawn('target/release/coko', ['serve'], { env: { ...env, LEPTOS_SITE_ROOT: site, LEPTOS_SITE_ADDR: `127.0.0.1:${port}` }, stdio: 'ignore' });
  try {
    await until('the next build is up', async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok);
    const version = async (base) => (await (await fetch(`${base}/sw.js`)).text()).match(/"version":"([0-9a-f]{12})"/)[1];
    const [before, after] = [await version(BASE), await version(`http://127.0.0.1:${port}`)];
    assert.notEqual(before, after, 'a changed shell file is a new worker');

    const page = await newPage(browser, PHONE);
    await page.goto(`${B}/catalogue`);
    await controlled(page);
    assert.ok((await page.evaluate(() => caches.keys())).includes(`coko-shell-${before}`));
    relay.retarget(`http://127.0.0.1:${port}`);
    await page.reload();
    const toast = page.getByRole('button', { name: 'Nouvelle version — recharger' });
    await toast.waitFor();
    await shot(page, 'offline-update-toast');
    await Promise.all([page.waitForEvent('load'), toast.click()]);
    await controlled(page);
    await until('the new worker took over, the old shell is gone', async () => {
      const keys = await page.evaluate(() => caches.keys());
      return keys.includes(`coko-shell-${after}`) && !keys.includes(`coko-shell-${before}`);
    });
    assert.equal(await page.locator('#pwa-update').isVisible(), false);
    await page.context().close();
  } finally {
    relay.retarget(BASE);
    next.kill('SIGTERM');
    fs.rmSync(site, { recursive: true, force: true });
  }
});
