// Every EPUB of the shared corpus in the reader, as a person would try it: open it (first page
// visible, screenshot), turn ten pages, jump through the contents, change the text size,
// reload and find the same place. Prints how long each took to show its first page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, PHONE, launch, newPage, shot, waitForServer } from './lib.mjs';

const CORPUS = process.env.COKO_CORPUS ?? '../shared/corpus';
let browser;
let page;
const timings = [];
before(async () => {
  await waitForServer();
  browser = await launch();
  // An editor reads every book, whatever other flows priced (the admin flow sells one).
  page = await newPage(browser, PHONE);
  await page.goto(`${BASE}/connexion`);
  await page.getByLabel('Adresse e-mail').fill(process.env.COKO_E2E_ADMIN_EMAIL ?? 'admin@coko.test');
  await page.locator('#password').fill(process.env.COKO_E2E_ADMIN_PASSWORD ?? 'admin-e2e-secret');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByText('Vous êtes connecté.').waitFor();
});
after(async () => {
  if (timings.length) {
    const sorted = timings.map((t) => t.ms).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`reader navigation → first page (360 px, loopback): median ${median} ms, max ${sorted.at(-1)} ms over ${sorted.length} books`);
    for (const t of timings) console.log(`  ${t.name}: ${t.ms} ms`);
  }
  await browser?.close();
});

/// The catalogue id of an imported corpus file (titles come from the files themselves).
async function idOf(file) {
  const list = await (await fetch(`${BASE}/api/v1/catalog/books/?limit=100`)).json();
  const size = fs.statSync(path.join(CORPUS, 'epub', file)).size;
  const book = list.books.find((b) => b.format === 'epub' && b.file_size === size);
  assert.ok(book, `${file} was imported`);
  return book.id;
}

const state = () => page.locator('#reader').evaluate((el) => ({ ...el.dataset }));
async function turn(action) {
  const before = Number((await state()).turns ?? 0);
  await action();
  await page.waitForFunction((n) => Number(document.querySelector('#reader').dataset.turns) > n, before, { timeout: 10000 });
  return state();
}

const files = fs.readdirSync(path.join(CORPUS, 'epub')).filter((f) => f.endsWith('.epub')).sort();

for (const file of files) {
  test(`corpus: ${file}`, async () => {
    const id = await idOf(file);
    const started = Date.now();
    await page.goto(`${BASE}/lire/${id}`);
    await page.locator('#reader[data-ready="true"][data-turns]').waitFor();
    timings.push({ name: file, ms: Date.now() - started });
    // SVG pages have no body: read the document's text.
    const body = await page.frameLocator('#reader-frame').locator(':root').evaluate((root) => root.textContent);
    if (file.startsWith('kusamakura')) {
      // The corpus copy lost its content documents: the reader says so instead of failing.
      assert.match(body, /Cette partie manque dans le fichier du livre/);
      await shot(page, `corpus-${file.replace('.epub', '')}`);
      return;
    }
    const box = await page.locator('#reader-frame').boundingBox();
    assert.ok(box.width > 100 && box.height > 100, 'the page is visible');
    await shot(page, `corpus-${file.replace('.epub', '')}`);

    // Ten turns forward, each moving somewhere new unless the book has ended.
    const seen = new Set([(await state()).locator + '@' + (await state()).page]);
    const forward = (await state()).direction === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
    for (let i = 0; i < 10; i++) {
      const s = await turn(() => page.keyboard.press(forward)).catch(() => null);
      if (!s) break; // the last page of the book: nothing further to show
      seen.add(s.locator + '@' + s.page);
    }
    assert.ok(seen.size >= 2, `${file}: turning pages moves (${[...seen].join(' ')})`);

    // The last entry of the contents opens its part.
    const links = page.locator('#reader-toc a[data-spine]');
    if (await links.count() > 0) {
      await page.locator('#reader-toc summary').click();
      const last = links.last();
      const spine = await last.getAttribute('data-spine');
      await turn(() => last.click());
      assert.equal((await page.locator('#reader-frame').getAttribute('data-spine')), spine, `${file}: the contents open part ${spine}`);
    }

    // Larger text, then a reload: same place.
    await page.locator('#reader-settings summary').click();
    await turn(() => page.getByRole('button', { name: 'Agrandir le texte' }).click());
    await page.locator('#reader-settings summary').click();
    const here = (await state()).locator;
    await page.reload();
    await page.locator('#reader[data-ready="true"][data-turns]').waitFor();
    assert.equal((await state()).locator, here, `${file}: a reload comes back to ${here}`);
  });
}
