// What this device keeps for Coko in IndexedDB, shared by the pages (pwa.js) and the service
// worker (sw.js): the outbox of reading writes made without a network, the books downloaded for
// offline reading (per account), and a few settings (who is signed in here, the data saver).
(function (scope) {
  'use strict';
  const NAME = 'coko';
  let opened = null;

  function db() {
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const req = indexedDB.open(NAME, 1);
        req.onupgradeneeded = () => {
          const d = req.result;
          const outbox = d.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
          outbox.createIndex('user', 'user');
          d.createObjectStore('downloads', { keyPath: ['user', 'book'] }).createIndex('user', 'user');
          d.createObjectStore('state');
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => { opened = null; reject(req.error); };
      });
    }
    return opened;
  }

  // One transaction on one store; `work` gets the store and returns a request (or nothing).
  async function run(store, mode, work) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const tx = d.transaction(store, mode);
      const req = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  scope.CokoStore = {
    // The outbox, oldest first. Entries: { seq, user, method, url, body, at }.
    enqueue: (entry) => run('outbox', 'readwrite', (s) => s.add(entry)),
    outbox: () => run('outbox', 'readonly', (s) => s.getAll()),
    pending: (user) => run('outbox', 'readonly', (s) => s.index('user').count(user || '')),
    done: (seq) => run('outbox', 'readwrite', (s) => s.delete(seq)),

    // Downloads: { user, book, title, authors, bytes, at }.
    saveDownload: (d) => run('downloads', 'readwrite', (s) => s.put(d)),
    downloads: (user) => run('downloads', 'readonly', (s) => s.index('user').getAll(user || '')),
    download: (user, book) => run('downloads', 'readonly', (s) => s.get([user || '', book])),
    forget: (user, book) => run('downloads', 'readwrite', (s) => s.delete([user || '', book])),

    get: (key) => run('state', 'readonly', (s) => s.get(key)),
    set: (key, value) => run('state', 'readwrite', (s) => s.put(value, key)),

    // The cache holding one account's copy of one book.
    bookCache: (user, book) => `coko-book-${user}-${book}`,
  };
})(self);
