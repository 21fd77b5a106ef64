// Reading a PDF as a person does, on a phone first: the pages drawn by Coko's own engine in WASM,
// turned with keys and buttons, a page chosen by number, a chapter from the outline, zoom and
// fit, a search in the text, a bookmark, then a reload and another device that pick up at the
// same page. Prints how long the first page takes to show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, launch, newPage, register, shot, signIn, unique, waitForServer } from './lib.mjs';

let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

const PASSWORD = 'pdf-lecture-secrete-1';

const ready = (page) => page.locator('#reader[data-ready="true"]').waitFor({ timeout: 60_000 });
const position = (page) => page.locator('#reader-position').textContent();
const drawn = (page, n) => page.locator(`.pdf-page[data-page="${n}"][data-drawn="true"] canvas`).waitFor({ timeout: 30_000 });

/// Pixels drawn on a page's canvas that are not paper white: something was really drawn there.
async function ink(page, n) {
  return page.locator(`.pdf-page[data-page="${n}"] canvas`).evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) dark++;
    return dark;
  });
}

/// Waits until the server holds page `n` as this reader's position.
async function serverHasPage(page, id, n) {
  for (let i = 0; i < 100; i++) {
    const got = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/reading/progress/${id}/`);
      return r.ok ? (await r.json()).locator : null;
    }, id);
    if (got === `p:${n}`) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`the server never got page ${n}`);
}

test('a PDF is read page by page on a phone, and picked up at the same page on a computer', async () => {
  const email = unique('pdf');
  await register(email, PASSWORD);
  const id = await pdfId(/trace/i);
  const page = await newPage(browser, PHONE);
  await signIn(page, email, PASSWORD);
  await page.goto(`${BASE}/livres/${id}`);
  await page.getByRole('link', { name: /Lire/ }).first().click();
  await ready(page);
  await drawn(page, 1);
  assert.ok(await ink(page, 1) > 2000, 'page 1 has text drawn on it');
  assert.equal(await position(page), 'Page 1 sur 14 · 7 %');
  // Drawn at the screen's pixel density, as wide as the phone.
  const box = await page.locator('.pdf-page[data-page="1"]').boundingBox();
  assert.ok(box.width > 300 && box.width <= 360, `fits the width: ${box.width}`);
  await shot(page, 'pdf-reader-first-page');

  // Keys and buttons turn pages; the page reached is drawn.
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await position(page), 'Page 4 sur 14 · 29 %');
  await page.getByRole('button', { name: 'Page suivante' }).click();
  assert.equal(await position(page), 'Page 5 sur 14 · 36 %');
  await page.getByRole('button', { name: 'Page précédente' }).click();
  assert.equal(await position(page), 'Page 4 sur 14 · 29 %');
  await drawn(page, 4);
  assert.ok(await ink(page, 4) > 2000, 'page 4 drawn when reached');
  // Pages far from the screen are not drawn (lazy), and give their memory back.
  assert.equal(await page.locator('.pdf-page[data-page="14"] canvas').count(), 0, 'the last page is not drawn yet');

  // Go to a page by its number.
  await page.locator('#reader-toc summary').click();
  await page.getByLabel('Aller à la page').fill('10');
  await page.getByRole('button', { name: 'Aller', exact: true }).click();
  assert.equal(await position(page), 'Page 10 sur 14 · 71 %');
  await drawn(page, 10);

  // Zoom: larger pages, drawn again sharper; fit page brings the whole page on screen.
  const before = (await page.locator('.pdf-page[data-page="10"]').boundingBox()).width;
  await page.locator('#reader-settings summary').click();
  await page.getByRole('button', { name: 'Agrandir' }).click();
  const after = (await page.locator('.pdf-page[data-page="10"]').boundingBox()).width;
  assert.ok(Math.abs(after / before - 1.25) < 0.02, `zoomed ×1.25: ${before} → ${after}`);
  assert.equal(await position(page), 'Page 10 sur 14 · 71 %', 'zoom keeps the page');
  await page.waitForFunction(() => {
    const c = document.querySelector('.pdf-page[data-page="10"] canvas');
    return c && c.width >= c.getBoundingClientRect().width * devicePixelRatio - 2;
  });
  await shot(page, 'pdf-reader-zoomed');
  await page.getByRole('button', { name: 'Page entière' }).click();
  const whole = await page.locator('.pdf-page[data-page="10"]').boundingBox();
  const stage = await page.locator('#reader-stage').boundingBox();
  assert.ok(whole.height <= stage.height, `the whole page shows: ${whole.height} ≤ ${stage.height}`);
  await page.getByRole('button', { name: 'Pleine largeur' }).click();
  await page.locator('#reader-settings summary').click();

  // Search the text: passages listed with their page; one opens its page.
  await page.locator('#reader-toc summary').click();
  await page.getByPlaceholder('Rechercher dans le livre').fill('trace trees');
  await page.getByRole('button', { name: 'Chercher' }).click();
  // The count in French's plural form, picked in the browser (Intl.PluralRules).
  const countLine = page.getByText(/^\d+ passages trouvés$/);
  await countLine.waitFor({ timeout: 30_000 });
  const hits = page.getByTestId('pdf-search-hit');
  assert.ok(await hits.count() >= 3, 'several passages about trace trees');
  assert.equal(await countLine.innerText(), `${await hits.count()} passages trouvés`, 'the count says how many are listed');
  await shot(page, 'pdf-reader-search');
  const target = await hits.nth(2).getAttribute('data-goto-page');
  await hits.nth(2).click();
  assert.match(await position(page), new RegExp(`^Page ${target} sur 14`));
  // The words found are marked where they are drawn, and on screen.
  await page.waitForFunction(() => (CSS.highlights.get('coko-found')?.size ?? 0) > 0, null, { timeout: 30_000 });
  const found = await page.evaluate(() => {
    const r = [...CSS.highlights.get('coko-found')][0];
    const box = r.getBoundingClientRect();
    return { text: r.toString(), top: box.top, bottom: box.bottom, height: innerHeight };
  });
  assert.match(found.text, /trace\s*trees/i, `the hit is marked: ${found.text}`);
  assert.ok(found.top > 40 && found.bottom < found.height - 40, `the hit is on screen: ${JSON.stringify(found)}`);
  await shot(page, 'pdf-reader-search-hit');

  // Bookmark this page; it is listed in the notes panel.
  await page.getByRole('button', { name: 'Marquer cette page' }).click();
  await page.locator('#reader-bookmark[aria-pressed="true"]').waitFor();
  await page.locator('#reader-notes summary').click();
  await page.getByText(`Signet · Page ${target}`).waitFor();
  await page.locator('#reader-notes summary').click();

  // Reload: the same page. Another device: the same page.
  await serverHasPage(page, id, target);
  const saved = await page.evaluate(async (id) => (await fetch(`/api/v1/reading/progress/${id}/`)).json(), id);
  assert.equal(saved.current_page, Number(target));
  assert.equal(saved.total_pages, 14);
  await page.reload();
  await ready(page);
  assert.match(await position(page), new RegExp(`^Page ${target} sur 14`));
  await drawn(page, target);
  const desk = await newPage(browser, DESKTOP);
  await signIn(desk, email, PASSWORD);
  await desk.goto(`${BASE}/lire/${id}`);
  await ready(desk);
  assert.match(await position(desk), new RegExp(`^Page ${target} sur 14`));
  await drawn(desk, Number(target));
  await desk.locator('#reader-bookmark[aria-pressed="true"]').waitFor();
  await shot(desk, 'pdf-reader-resumed');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(desk.errors, []);
  await page.context().close();
  await desk.context().close();
});

/// Drags the mouse across a run of a PDF page's text layer, as a person selects words.
async function dragAcross(page, span) {
  await span.scrollIntoViewIfNeeded();
  const b = await span.boundingBox();
  const y = b.y + b.height / 2;
  await page.mouse.move(b.x + 1, y);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, y, { steps: 4 });
  await page.mouse.move(b.x + b.width - 1, y, { steps: 4 });
  await page.mouse.up();
}

/// The passages painted in a highlight colour, as text.
const painted = (page, colour) => page.evaluate((c) => [...(CSS.highlights.get(c) ?? [])].map((r) => r.toString()), colour);

test('a passage of a PDF is highlighted and noted, and stays on its words after a reload and a zoom', async () => {
  const email = unique('pdf-notes');
  await register(email, PASSWORD);
  const id = await pdfId(/trace/i);
  const page = await newPage(browser, PHONE);
  await signIn(page, email, PASSWORD);
  await page.goto(`${BASE}/lire/${id}`);
  await ready(page);
  await drawn(page, 1);
  // The page's text lies over its drawing: the title is there, invisible, where it is drawn.
  const title = page.locator('.pdf-page[data-page="1"] .pdf-text span', { hasText: 'Trace-based' }).first();
  await title.waitFor();
  const paper = await page.locator('.pdf-page[data-page="1"]').boundingBox();
  const tb = await title.boundingBox();
  assert.ok(tb.y - paper.y < paper.height * 0.15 && tb.x > paper.x && tb.x + tb.width < paper.x + paper.width, `the title sits at the top of the page: ${JSON.stringify([paper, tb])}`);
  assert.equal(await title.evaluate((e) => getComputedStyle(e).color), 'rgba(0, 0, 0, 0)', 'the text layer is see-through');

  // Select the title with the mouse: the highlight toolbar comes; green.
  await dragAcross(page, title);
  await page.getByRole('toolbar', { name: 'Surligner' }).waitFor();
  await page.getByRole('button', { name: 'Surligner : Vert' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#reader-notes-list [data-testid="note-item"]').length === 1);
  await page.waitForFunction(() => (CSS.highlights.get('coko-c1')?.size ?? 0) > 0);
  const green = await painted(page, 'coko-c1');
  assert.ok(green.join(' ').startsWith('Trace-based'), `the title is painted green: ${green}`);
  await shot(page, 'pdf-highlight');

  // A note on a line of page 2.
  await page.keyboard.press('ArrowRight');
  await drawn(page, 2);
  const line = page.locator('.pdf-page[data-page="2"] .pdf-text span').filter({ hasText: /\w{4,} \w{4,} \w{4,}/ }).nth(3);
  await line.waitFor();
  const words = (await line.textContent()).trim().split(/\s+/);
  await dragAcross(page, line);
  await page.getByRole('button', { name: 'Ajouter une note' }).click();
  await page.getByLabel('Votre note sur ce passage').fill('À relire avant le séminaire.');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#reader-notes-list [data-testid="note-item"]').length === 2);
  const notes = await (await page.request.get(`${BASE}/api/v1/reading/annotations/?book=${id}`)).json();
  const note = notes.annotations.find((a) => a.annotation_type === 'note');
  assert.match(note.position, /^p:2:\d+\.\.p:2:\d+$/, 'a passage of page 2, by character');
  assert.ok(note.selected_text.includes(words[1]), `the quote is the line's words: ${note.selected_text} / ${words}`);
  assert.ok(notes.annotations.find((a) => a.annotation_type === 'highlight').position.startsWith('p:1:0..p:1:'));

  // Reload on a computer-sized zoom: the same words are painted, and after zooming in too.
  await page.reload();
  await ready(page);
  await page.waitForFunction(() => document.querySelectorAll('#reader-notes-list [data-testid="note-item"]').length === 2);
  await page.locator('#reader-notes summary').click();
  await page.locator('#reader-notes-list [data-testid="note-item"]', { hasText: 'Trace-based' }).locator('[data-go]').click();
  await drawn(page, 1);
  await page.waitForFunction(() => (CSS.highlights.get('coko-c1')?.size ?? 0) > 0);
  assert.deepEqual(await painted(page, 'coko-c1'), green, 'the same words after a reload');
  const small = (await title.boundingBox()).width;
  await page.locator('#reader-settings summary').click();
  await page.getByRole('button', { name: 'Agrandir', exact: true }).click();
  await page.locator('#reader-settings summary').click();
  await drawn(page, 1);
  const large = (await title.boundingBox()).width;
  assert.ok(large > small * 1.2, `the text layer follows the zoom: ${small} → ${large}`);
  assert.deepEqual(await painted(page, 'coko-c1'), green, 'the same words after zooming');
  await page.keyboard.press('ArrowRight');
  await drawn(page, 2);
  await page.waitForFunction(() => (CSS.highlights.get('coko-c0')?.size ?? 0) > 0);
  assert.ok((await painted(page, 'coko-c0')).join(' ').includes(words[1]), 'the note is painted on page 2');
  await shot(page, 'pdf-note-zoomed');

  // The export lists them by page.
  const md = await (await page.request.get(`${BASE}/api/v1/reading/annotations/export/?book=${id}&format=md`)).text();
  assert.match(md, /## Page 1\n\n> Trace-based/);
  assert.match(md, /## Page 2[\s\S]*À relire avant le séminaire\./);
  assert.deepEqual(page.errors, []);

  // On a computer: two pages in view, the highlight painted where the title is drawn.
  const desk = await newPage(browser, DESKTOP);
  await signIn(desk, email, PASSWORD);
  await desk.goto(`${BASE}/lire/${id}?page=1`);
  await ready(desk);
  await drawn(desk, 1);
  await desk.waitForFunction(() => (CSS.highlights.get('coko-c1')?.size ?? 0) > 0);
  assert.deepEqual(await painted(desk, 'coko-c1'), green);
  await shot(desk, 'pdf-highlight');
  await page.context().close();
  await desk.context().close();
});

test('a long PDF: the outline opens a chapter; first page time printed', async () => {
  const email = unique('pdf-long');
  await register(email, PASSWORD);
  const id = await pdfId(/free culture/i);
  const page = await newPage(browser, DESKTOP);
  await signIn(page, email, PASSWORD);
  // Navigation to the first page drawn, five times (the file and engine come from the HTTP cache
  // after the first).
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    await page.goto(`${BASE}/lire/${id}?page=1`);
    await drawn(page, 1);
    times.push(Date.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`freeculture.pdf (352 pages): navigation to first page drawn, median of 5 = ${times[2]} ms (all: ${times.join(', ')})`);
  assert.ok(await ink(page, 1) > 500, 'the cover is drawn');

  await page.locator('#reader-toc summary').click();
  const chapter = page.getByRole('link', { name: /Chapter 1: Creators/ });
  await chapter.waitFor();
  await shot(page, 'pdf-reader-outline');
  await chapter.click();
  assert.equal(await position(page), 'Page 35 sur 352 · 10 %');
  await drawn(page, 35);
  assert.ok(await ink(page, 35) > 2000, 'the chapter page is drawn');
  // A turn with the keyboard from there.
  const t0 = Date.now();
  await page.keyboard.press('ArrowRight');
  await drawn(page, 36);
  console.log(`freeculture.pdf: page turn to a drawn page = ${Date.now() - t0} ms`);
  assert.equal(await position(page), 'Page 36 sur 352 · 10 %');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/// The PDF of the catalogue whose title matches.
async function pdfId(title) {
  const book = (await allPdfs()).find((b) => title.test(b.title));
  assert.ok(book, `a PDF titled ${title}`);
  return book.id;
}

/// Every PDF in the catalogue (the corpus ones), from the REST listing.
async function allPdfs() {
  const out = [];
  for (let page = 1; page < 20; page++) {
    const body = await (await fetch(`${BASE}/api/v1/catalog/books/?limit=100&page=${page}`)).json();
    out.push(...body.books.filter((b) => b.fileUrl.endsWith('.pdf')));
    if (page >= body.pagination.totalPages) break;
  }
  return out;
}

test('every corpus PDF: first page drawn, ten pages turned, the outline, larger, reload → same page', async () => {
  const email = unique('pdf-corpus');
  await register(email, PASSWORD);
  const page = await newPage(browser, PHONE);
  await signIn(page, email, PASSWORD);
  const books = await allPdfs();
  assert.ok(books.length >= 12, `the corpus PDFs are in the catalogue: ${books.length}`);
  for (const book of books) {
    await page.goto(`${BASE}/lire/${book.id}`);
    await ready(page);
    await drawn(page, 1);
    assert.ok(await ink(page, 1) > 20, `${book.title}: page 1 has something drawn`);
    const total = await page.locator('.pdf-page').count();
    await shot(page, `pdf-corpus-${book.fileUrl.split('/').pop().slice(0, 8)}`);
    const turns = Math.min(10, total - 1);
    for (let i = 0; i < turns; i++) await page.keyboard.press('ArrowRight');
    const at = 1 + turns;
    assert.match(await position(page), new RegExp(`^Page ${at} sur ${total} `), book.title);
    await drawn(page, at);
    // The outline's last entry with a page, when there is an outline.
    const links = page.locator('#pdf-outline a[data-goto-page]');
    let expected = at;
    if (await links.count() > 0) {
      await page.locator('#reader-toc summary').click();
      const last = links.last();
      expected = Number(await last.getAttribute('data-goto-page'));
      await last.click();
      assert.match(await position(page), new RegExp(`^Page ${expected} sur`), `${book.title}: outline`);
    }
    await page.locator('#reader-settings summary').click();
    await page.getByRole('button', { name: 'Agrandir' }).click();
    await page.locator('#reader-settings summary').click();
    assert.match(await position(page), new RegExp(`^Page ${expected} sur`), `${book.title}: zoom keeps the page`);
    await serverHasPage(page, book.id, expected);
    await page.reload();
    await ready(page);
    assert.match(await position(page), new RegExp(`^Page ${expected} sur`), `${book.title}: reload`);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
