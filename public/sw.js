// Coko's service worker. The server serves it at /sw.js with `const BUILD = { version, shell,
// reader }` in front: a new build is a new worker.
//
// - The app shell (styles, islands' WASM and glue, icons, the offline page) is precached; the
//   reader's WASM and fonts are kept the first time a book is opened or downloaded.
// - Catalogue pages and covers: stale-while-revalidate. Other pages: network first, then the
//   copy kept here, then the offline page. Every form post empties the page copies (they show
//   who is signed in); signing out also empties the reader's private data.
// - Downloaded books live in one cache per account and book, served only to that account.
// - Reading writes (progress, annotations, sessions) that cannot reach the server go to an
//   outbox in IndexedDB and are replayed, in order, as their own account only.
// - Web Push: a message (`{title, body, link, tag, lang, dir}`, decrypted by the browser) is
//   shown as a notification; a click opens its link, on Coko's own origin only. A subscription
//   the push service renewed is handed to the server again.
'use strict';
importScripts('/coko-store.js');

const SHELL = `coko-shell-${BUILD.version}`;
const PAGES = 'coko-pages';
const PRIVATE = 'coko-private';
const COVERS = 'coko-covers';
const OFFLINE = '/hors-ligne';
const SWR_PAGES = [/^\/$/, /^\/catalogue$/, /^\/livres\/[^/]+$/, /^\/recherche$/];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.addAll(BUILD.shell);
    // The very first worker takes over at once; a new version waits for the reader's go.
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('coko-shell-') && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const msg = event.data || {};
  if (msg.type === 'skip-waiting') self.skipWaiting();
  if (msg.type === 'replay') event.waitUntil(replay());
  if (msg.type === 'hello') event.waitUntil(hello(msg.user || ''));
});

self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (_) { data = { body: event.data ? event.data.text() : '' }; }
  event.waitUntil(self.registration.showNotification(data.title || 'Coko', {
    body: data.body || '',
    tag: data.tag || undefined,
    lang: data.lang || undefined,
    dir: data.dir === 'rtl' ? 'rtl' : 'auto',
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    data: { link: typeof data.link === 'string' ? data.link : '/notifications' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const link = new URL((event.notification.data && event.notification.data.link) || '/notifications', self.location.origin);
  if (link.origin !== self.location.origin) return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).pathname === link.pathname);
    if (open && 'focus' in open) return open.focus();
    return self.clients.openWindow(link.href);
  })());
});

self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const old = event.oldSubscription;
    const key = old && old.options && old.options.applicationServerKey;
    const fresh = event.newSubscription || (key ? await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }) : null);
    if (!fresh) return;
    await fetch('/api/v1/notifications/push/devices/', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fresh.toJSON()),
    });
  })());
});

self.addEventListener('sync', (event) => {
  if (event.tag === 'coko-outbox') event.waitUntil(replay());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname === '/sw.js') return;
  if (req.method !== 'GET') {
    if (url.pathname.startsWith('/api/v1/reading/')) event.respondWith(write(req));
    else if (req.mode === 'navigate') event.respondWith(formPost(req, url));
    return;
  }
  const path = url.pathname;
  if (BUILD.shell.includes(path) && path !== OFFLINE || path.startsWith('/pkg/') || path.startsWith('/reader/') || path.startsWith('/icons/')) {
    event.respondWith(shellFirst(req));
  } else if (path.startsWith('/files/covers/')) {
    event.respondWith(cover(event, req));
  } else if (/^\/lire\/[^/]+\/contenu\//.test(path) || /^\/files\/books\/[^/]+\//.test(path)) {
    // A book's parts (EPUB) or its file (PDF): the downloaded copy first.
    event.respondWith(bookFirst(req, path.split('/')[path.startsWith('/lire/') ? 2 : 3]));
  } else if (path.startsWith('/api/v1/reading/') && !path.includes('/export/')) {
    event.respondWith(privateData(req, url));
  } else if (req.mode === 'navigate') {
    event.respondWith(SWR_PAGES.some((r) => r.test(path)) ? stalePage(event, req) : freshPage(req, url));
  }
});

// --- who is signed in on this device ---------------------------------------------------------

async function currentUser() {
  return (await CokoStore.get('user')) || '';
}

// A page said who is signed in. Another account: nothing of the previous one may show.
async function hello(user) {
  const before = await currentUser();
  if (before !== user) {
    await caches.delete(PAGES);
    await caches.delete(PRIVATE);
    await CokoStore.set('user', user);
  }
  if (user) await replay();
}

// --- strategies ------------------------------------------------------------------------------

async function shellFirst(req) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(req, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok && res.type === 'basic') cache.put(req, res.clone());
  return res;
}

// A reply the worker may keep: a whole, plain, same-origin success that is not a one-time
// notice, and that the server did not mark `no-store` (a profile, staff pages, forms).
function keepable(res) {
  return res && res.ok && res.type === 'basic' && res.status === 200 && !res.headers.has('coko-once')
    && !/no-store/.test(res.headers.get('cache-control') || '');
}

async function cover(event, req) {
  const cache = await caches.open(COVERS);
  const hit = await cache.match(req);
  if (!hit && await CokoStore.get('dataSaver')) return placeholder();
  const fresh = fetch(req).then((res) => {
    if (keepable(res)) return cache.put(req, res.clone()).then(() => res);
    return res;
  });
  if (hit) {
    event.waitUntil(fresh.catch(() => null));
    return hit;
  }
  return fresh.catch(() => placeholder());
}

function placeholder() {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="3" viewBox="0 0 2 3"><rect width="2" height="3" fill="#cbd5e1"/></svg>';
  return new Response(svg, { headers: { 'content-type': 'image/svg+xml', 'coko-placeholder': '1' } });
}

async function bookCacheFor(book) {
  const user = await currentUser();
  if (!user || !(await CokoStore.download(user, book))) return null;
  return caches.open(CokoStore.bookCache(user, book));
}

// Book content never changes under its URL: the downloaded copy first.
async function bookFirst(req, book) {
  const cache = await bookCacheFor(book);
  const hit = cache && await cache.match(req);
  if (hit) return hit;
  return fetch(req);
}

// The reader's own data: the network when there is one, else the last copy, with the writes
// still waiting in the outbox applied so the reader sees what it did offline.
async function privateData(req, url) {
  const book = url.searchParams.get('book') || (url.pathname.match(/^\/api\/v1\/reading\/progress\/([^/]+)\//) || [])[1];
  let res;
  try {
    res = await fetch(req);
    if (keepable(res)) {
      const copy = res.clone();
      await (await caches.open(PRIVATE)).put(req, copy.clone());
      const cache = book && await bookCacheFor(book);
      if (cache) await cache.put(req, copy);
    }
  } catch (e) {
    res = await caches.match(req, { cacheName: PRIVATE });
    const cache = !res && book && await bookCacheFor(book);
    if (cache) res = await cache.match(req);
    if (!res) return json({ error: { code: 'OFFLINE', message: 'offline' } }, 503);
  }
  if (url.pathname === '/api/v1/reading/annotations/' && res.ok) return withPending(res);
  return res;
}

async function withPending(res) {
  const body = await res.json();
  const list = body.annotations || [];
  const user = await currentUser();
  for (const e of await CokoStore.outbox()) {
    if (e.user !== user || !e.url.includes('/api/v1/reading/annotations/')) continue;
    const id = (e.url.match(/\/annotations\/([^/?]+)\//) || [])[1];
    if (e.method === 'POST') {
      const a = JSON.parse(e.body);
      if (!list.some((x) => x.id === a.id)) list.push(a);
    } else if (e.method === 'PUT' && id) {
      const i = list.findIndex((x) => x.id === id);
      if (i >= 0) list[i] = { ...list[i], ...JSON.parse(e.body) };
    } else if (e.method === 'DELETE' && id) {
      const i = list.findIndex((x) => x.id === id);
      if (i >= 0) list.splice(i, 1);
    }
  }
  return json({ ...body, annotations: list }, 200);
}

function json(value, status) {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

async function offlinePage() {
  return (await caches.match(OFFLINE, { cacheName: SHELL })) || new Response('Hors ligne — offline', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

// Catalogue pages: the copy at once, a fresh one for next time.
async function stalePage(event, req) {
  const cache = await caches.open(PAGES);
  const hit = await cache.match(req);
  const fresh = fetch(req).then(async (res) => {
    if (keepable(res)) await cache.put(req, res.clone());
    return res;
  });
  if (hit) {
    event.waitUntil(fresh.catch(() => null));
    return hit;
  }
  return fresh.catch(async () => {
    const book = (new URL(req.url).pathname.match(/^\/livres\/([^/]+)$/) || [])[1];
    const kept = book && await bookCacheFor(book);
    return (kept && await kept.match(req, { ignoreSearch: true })) || offlinePage();
  });
}

// Other pages: the network, then the kept copy (a downloaded book's reader page), then the
// offline page.
async function freshPage(req, url) {
  const book = (url.pathname.match(/^\/lire\/([^/]+)$/) || [])[1];
  try {
    const res = await fetch(req);
    if (keepable(res) && !res.redirected) {
      const copy = res.clone();
      await (await caches.open(PAGES)).put(req, copy.clone());
      const kept = book && await bookCacheFor(book);
      if (kept && !url.search) await kept.put(url.pathname, copy);
    }
    return res;
  } catch (e) {
    const kept = book && await bookCacheFor(book);
    const hit = (kept && await kept.match(url.pathname)) || await caches.match(req, { cacheName: PAGES });
    return hit || offlinePage();
  }
}

// A form was posted (sign-in, sign-out, language, an editor's change): the kept pages are out
// of date. Signing out also drops the reader's private data; the outbox stays, tagged with its
// account, for that account's next sign-in.
async function formPost(req, url) {
  await caches.delete(PAGES);
  if (url.pathname === '/deconnexion') {
    await caches.delete(PRIVATE);
    await CokoStore.set('user', '');
  }
  return fetch(req);
}

// --- the outbox ------------------------------------------------------------------------------

async function write(req) {
  const body = req.method === 'DELETE' ? '' : await req.clone().text();
  try {
    const res = await fetch(req);
    replaySoon();
    return res;
  } catch (e) {
    const user = req.headers.get('x-coko-user') || '';
    if (!user) throw e;
    // A newer position (or settings) replaces the one still waiting: the newest wins anyway.
    if (req.method === 'PUT' && /\/reading\/(progress|settings)\//.test(req.url)) {
      for (const old of await CokoStore.outbox()) {
        if (old.user === user && old.method === 'PUT' && old.url === req.url) await CokoStore.done(old.seq);
      }
    }
    await CokoStore.enqueue({ user, method: req.method, url: req.url, body, at: Date.now() });
    try { await self.registration.sync.register('coko-outbox'); } catch (_) { /* replayed at the next load or `online` */ }
    await announce();
    // What the server would have said: the write as sent (the reader keeps its own copy).
    if (req.method === 'DELETE') return new Response(null, { status: 204, headers: { 'coko-queued': '1' } });
    return new Response(body || '{}', { status: 202, headers: { 'content-type': 'application/json', 'coko-queued': '1' } });
  }
}

let replaying = null;
let soon = null;

function replaySoon() {
  if (!soon) soon = setTimeout(() => { soon = null; replay(); }, 200);
}

function replay() {
  if (!replaying) replaying = drain().finally(() => { replaying = null; });
  return replaying;
}

// Sends the outbox in order. An account whose writes cannot go now (signed out, another account
// signed in, server trouble) keeps them all, in order, for later.
async function drain() {
  const held = new Set();
  let sent = 0;
  for (const e of await CokoStore.outbox()) {
    if (held.has(e.user)) continue;
    let res;
    try {
      res = await fetch(e.url, {
        method: e.method,
        body: e.method === 'DELETE' ? undefined : e.body,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-coko-user': e.user },
      });
    } catch (_) {
      break; // still offline
    }
    if (res.status === 401 || res.status === 409 || res.status === 429 || res.status >= 500) {
      held.add(e.user);
      continue;
    }
    // Done, or refused for good (e.g. invalid): either way it leaves the outbox.
    await CokoStore.done(e.seq);
    sent += 1;
  }
  await announce(sent);
}

async function announce(sent = 0) {
  for (const c of await self.clients.matchAll({ includeUncontrolled: true })) c.postMessage({ type: 'outbox', sent });
}
