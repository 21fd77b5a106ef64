// Shared helpers for the end-to-end flows: the system Chromium through playwright-core,
// screenshots at phone and desktop widths, and the mail outbox the server writes to.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

export const BASE = process.env.COKO_E2E_URL ?? 'http://127.0.0.1:3000';
export const OUTBOX = process.env.COKO_E2E_OUTBOX ?? 'data/outbox';
export const SHOTS = path.resolve(process.env.COKO_E2E_SHOTS ?? 'end2end/screenshots');
export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 860 };

export const CHROMIUM = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

export async function launch() {
  return chromium.launch(CHROMIUM);
}

/// A browser with a profile on disk, as a person's is (contexts of `launch` are incognito).
export async function launchProfile(viewport = PHONE) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coko-profile-'));
  const context = await chromium.launchPersistentContext(dir, { ...CHROMIUM, viewport, locale: 'fr-FR' });
  return { context, async close() { await context.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/// A fresh browser context (its own cookies) at the given viewport, collecting page errors.
export async function newPage(browser, viewport = PHONE, extra = {}) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', ...extra });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  // Refused forms answer 4xx on purpose; only script errors count.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.errors.push(m.text()); });
  return page;
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const w = page.viewportSize().width;
  await page.screenshot({ path: path.join(SHOTS, `${name}-${w}.png`), fullPage: true });
}

/// Waits for a mail to `to` whose body links to `linkPath`; returns the link's path and query.
export async function mailedLink(to, linkPath) {
  for (let i = 0; i < 50; i++) {
    const files = fs.existsSync(OUTBOX) ? fs.readdirSync(OUTBOX).sort().reverse() : [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(OUTBOX, f), 'utf8');
      if (!text.includes(`To: ${to}`)) continue;
      const m = text.match(new RegExp(`https?://[^\\s]+(${linkPath.replace(/[/]/g, '\\/')}\\?token=[A-Za-z0-9_-]+)`));
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} linking to ${linkPath}`);
}

/// Selects `needle` in the reader's book frame as a mouse would; false when it is not there.
export function selectInBook(page, needle, frame = '#reader-frame') {
  return page.frameLocator(frame).locator('body').evaluate((body, needle) => {
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.data.indexOf(needle);
      if (at < 0) continue;
      const r = document.createRange(); r.setStart(n, at); r.setEnd(n, at + needle.length);
      const s = document.getSelection(); s.removeAllRanges(); s.addRange(r);
      document.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
      return true;
    }
    return false;
  }, needle);
}

/// Waits until the server answers.
export async function waitForServer() {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${BASE}/health`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server at ${BASE} did not come up`);
}

export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}@example.sn`;
}

/// A TCP relay in front of the server that counts every byte crossing it both ways: what a
/// reader's data plan would pay, service worker traffic included.
export async function meteredServer() {
  const net = await import('node:net');
  let target = new URL(BASE);
  let bytes = 0;
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 80), target.hostname);
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => { client.destroy(); upstream.destroy(); }); }
    client.on('data', (d) => { bytes += d.length; });
    upstream.on('data', (d) => { bytes += d.length; });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    take() { const b = bytes; bytes = 0; return b; },
    /// Sends new connections to another server (a new deploy behind the same address).
    retarget(url) {
      target = new URL(url);
      for (const s of sockets) s.destroy();
    },
    async close() { for (const s of sockets) s.destroy(); await new Promise((r) => server.close(r)); },
  };
}

/// Waits for the page's service worker to control it and for pwa.js to have started.
/// A page whose navigation began while the first worker was still installing stays uncontrolled
/// until the next one (as in any browser): then it is reloaded.
export async function controlled(page) {
  for (let i = 0; i < 3; i++) {
    await page.waitForFunction(() => document.documentElement.dataset.pwa === 'ready');
    if (await page.evaluate(async () => { await navigator.serviceWorker.ready; return Boolean(navigator.serviceWorker.controller); })) return;
    await page.reload();
  }
  throw new Error('the service worker never controlled the page');
}

// Offline for the pages and for the service worker's own fetches (older Playwright versions
// left those online: they are refused here too, as a real loss of network would).
const refuseWorker = (route) => (route.request().serviceWorker() ? route.abort('internetdisconnected') : route.continue());
export async function setOffline(context, offline) {
  if (offline) await context.route('**', refuseWorker);
  else await context.unroute('**', refuseWorker);
  await context.setOffline(offline);
}

/// A reader account made through the API (as the mobile app would).
export async function register(email, password, name = 'Aïssatou Ba') {
  const r = await fetch(`${BASE}/api/v1/auth/register/`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name, country: 'SN' }),
  });
  if (r.status !== 202) throw new Error(`register ${email}: ${r.status} ${await r.text()}`);
}

/// Signs in through the form, as a person does; `base` lets a spec go through its relay.
export async function signIn(page, email, password, { base = BASE, next = '' } = {}) {
  await page.goto(`${base}/connexion${next ? `?next=${next}` : ''}`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByText('Vous êtes connecté.').waitFor();
}

/// Signs in as the administrator the test command creates.
export async function signInAdmin(page) {
  await signIn(page, process.env.COKO_E2E_ADMIN_EMAIL ?? 'admin@coko.test', process.env.COKO_E2E_ADMIN_PASSWORD ?? 'admin-e2e-secret');
}

/// The id of the catalogue's book found by `query` whose title holds `title`.
export async function bookId(query, title) {
  const r = await fetch(`${BASE}/api/v1/catalog/books/search/?q=${encodeURIComponent(query)}`);
  const body = await r.json();
  const book = body.books.find((b) => b.title.includes(title));
  if (!book) throw new Error(`${title} is not in the catalogue: ${body.books.map((b) => b.title).join(', ')}`);
  return book.id;
}
