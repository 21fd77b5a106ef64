// Browsing the catalogue as a reader: the home page's new arrivals, filters that live in the
// URL, the next page, and a book's page. Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, launch, newPage, shot, waitForServer } from './lib.mjs';

let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`browse the catalogue and open a book at ${w}px`, async () => {
    const page = await newPage(browser, viewport);
    await page.goto(`${BASE}/`);
    await page.getByRole('heading', { name: 'Nouveautés' }).waitFor();
    assert.ok(await page.getByTestId('book-card').count() >= 4);
    await shot(page, 'home-catalogue');

    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Catalogue' }).click();
    await page.getByRole('heading', { name: 'Catalogue' }).waitFor();
    const count = await page.getByTestId('catalog-count').innerText();
    assert.match(count, /^\d+ livres$/);
    await shot(page, 'catalogue');

    // Filters are in the URL, so the result can be shared.
    await page.getByLabel('Langue', { exact: true }).selectOption('ar');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/langue=ar/);
    assert.equal(await page.getByTestId('catalog-count').innerText(), '1 livre');
    await page.getByLabel('Langue', { exact: true }).selectOption('');
    await page.getByLabel('Format', { exact: true }).selectOption('pdf');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/format=pdf/);
    const pdfs = await page.getByTestId('book-card').count();
    assert.ok(pdfs >= 1);
    await shot(page, 'catalogue-pdf');

    // Sorted A → Z across pages (case and accents aside), kept in the URL with the filters.
    await page.getByLabel('Format', { exact: true }).selectOption('');
    await page.getByLabel('Trier par').selectOption('titre');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/tri=titre/);
    const fold = (t) => t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    const titles = async () => page.getByTestId('book-card').locator('h3, h2').allInnerTexts();
    const first = await titles();
    await page.getByRole('link', { name: 'Livres suivants' }).click();
    await page.waitForURL(/tri=titre.*apres=t/);
    const second = await titles();
    const all = first.concat(second).map((t) => fold(t.trim()));
    assert.ok(all.length > 20, `two pages: ${all.length}`);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1] <= all[i], `A → Z: ${all[i - 1]} before ${all[i]}`);
    await shot(page, 'catalogue-sorted');
    // A category from the tree narrows the list.
    await page.goto(`${BASE}/catalogue`);
    const options = await page.getByLabel('Catégorie').locator('option').allInnerTexts();
    assert.ok(options.length >= 2, `categories listed: ${options}`);
    // A parent category shows its whole branch (books are filed in its subcategories).
    const books = async () => Number((await page.getByTestId('catalog-count').innerText()).match(/\d+/)?.[0] ?? 'NaN');
    await page.getByLabel('Catégorie').selectOption('fiction');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/categorie=fiction/);
    const fiction = await books();
    assert.ok(fiction > 0, `books below Fiction: ${fiction}`);
    await shot(page, 'catalogue-parent-category');
    await page.getByLabel('Catégorie').selectOption('contes');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/categorie=contes/);
    const tales = await books();
    assert.ok(tales > 0 && tales < fiction, `Contes (${tales}) is part of Fiction (${fiction})`);
    assert.notEqual(await page.getByTestId('catalog-count').innerText(), count, 'fewer books in one category');
    // The languages offered are those of the books, Japanese included.
    await page.goto(`${BASE}/catalogue`);
    await page.getByLabel('Langue', { exact: true }).selectOption('ja');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/langue=ja/);
    assert.ok(await books() >= 1, 'the Japanese book can be found by its language');

    // Twenty books a page; the rest follow.
    await page.goto(`${BASE}/catalogue`);
    await page.getByRole('link', { name: 'Livres suivants' }).click();
    await page.waitForURL(/apres=/);
    assert.ok(await page.getByTestId('book-card').count() >= 1);
    await page.getByRole('link', { name: 'Revenir au début' }).waitFor();

    // Open a book from the catalogue, whichever page it landed on.
    await page.goto(`${BASE}/catalogue?langue=en&format=epub`);
    while (await page.getByRole('link', { name: /Moby-Dick/ }).count() === 0) {
      await page.getByRole('link', { name: 'Livres suivants' }).click();
      await page.waitForLoadState();
    }
    await page.getByRole('link', { name: /Moby-Dick/ }).click();
    await page.getByRole('heading', { name: 'Moby-Dick' }).waitFor();
    await page.getByText('de Herman Melville').waitFor();
    assert.equal(await page.getByTestId('book-price').innerText(), 'Gratuit');
    const cover = page.locator('article img').first();
    assert.ok(await cover.evaluate((img) => img.complete && img.naturalWidth > 0), 'the cover loaded');
    await shot(page, 'book');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

for (const viewport of [PHONE, DESKTOP]) {
  test(`search from the header with typos and facets at ${viewport.width}px`, async () => {
    const page = await newPage(browser, viewport);
    await page.goto(`${BASE}/`);
    await page.getByRole('combobox', { name: 'Rechercher dans le catalogue' }).fill('mobi dik');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/recherche\?q=mobi/);
    assert.match(await page.getByTestId('search-heading').innerText(), /pour « mobi dik »/);
    await page.getByRole('link', { name: /Moby-Dick/ }).first().waitFor();
    await shot(page, 'search');
    // A facet narrows the results and stays in the URL.
    await page.goto(`${BASE}/recherche?q=the`);
    const before = await page.getByTestId('book-card').count();
    await page.getByRole('link', { name: /^EPUB \(\d+\)$/ }).click();
    await page.waitForURL(/format=epub/);
    const after = await page.getByTestId('book-card').count();
    assert.ok(after >= 1 && after <= before, `${after} of ${before}`);
    await shot(page, 'search-facet');
    await page.getByRole('link', { name: 'Effacer les filtres' }).click();
    await page.waitForURL((u) => !u.search.includes('format='));
    await page.context().close();
  });
}

for (const viewport of [PHONE, DESKTOP]) {
  test(`the header's search suggests books as one types, by keyboard and by touch at ${viewport.width}px`, async () => {
    const page = await newPage(browser, viewport);
    await page.goto(`${BASE}/catalogue`);
    const box = page.getByRole('combobox', { name: 'Rechercher dans le catalogue' });
    const list = page.getByRole('listbox', { name: 'Suggestions' });
    // Typed as a person types (islands hydrate first: the page works before, as a form).
    await page.locator('#site-search[data-ready="true"]').waitFor();
    await box.click();
    await box.pressSequentially('eleve', { delay: 40 });
    await list.getByRole('option', { name: /L'Élève de Saint-Louis/ }).first().waitFor();
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    const options = await list.getByRole('option').allInnerTexts();
    assert.ok(options.length >= 2 && options.length <= 7, options.join(' | '));
    assert.match(options.at(-1), /Tous les résultats pour « eleve »/);
    await shot(page, 'search-suggestions');
    // Keyboard: down to the first book, Enter opens it.
    await box.press('ArrowDown');
    assert.equal(await box.getAttribute('aria-activedescendant'), 'site-search-option-0');
    await box.press('Enter');
    await page.waitForURL(/\/livres\//);
    await page.getByRole('heading', { level: 1, name: "L'Élève de Saint-Louis" }).waitFor();
    // Escape closes; a tap on a suggestion opens it too.
    await box.fill('');
    await box.pressSequentially('mobi', { delay: 40 });
    await list.getByRole('option', { name: /Moby-Dick/ }).first().waitFor();
    await box.press('Escape');
    assert.equal(await list.isVisible(), false);
    await box.pressSequentially(' d', { delay: 40 });
    await list.getByRole('option', { name: /Moby-Dick/ }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Moby-Dick' }).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('prices are shown in the reader\'s format', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(`${BASE}/catalogue?prix=payant`);
  const prices = await page.getByTestId('book-card').allInnerTexts();
  assert.ok(prices.length >= 5, `${prices.length} paid books`);
  assert.ok(prices.some((p) => /1\u202f500\u00a0FCFA/.test(p)), prices.join(' | '));
  await shot(page, 'catalogue-paid');
  await page.getByTestId('settings-menu').locator('summary').click();
  await page.getByRole('button', { name: 'English' }).click();
  const english = await page.getByTestId('book-card').allInnerTexts();
  assert.ok(english.some((p) => p.includes('XOF 1,500')), english.join(' | '));
  await page.context().close();
});

test('an Arabic book page reads right to left', async () => {
  const page = await newPage(browser, PHONE);
  await page.goto(`${BASE}/catalogue?langue=ar`);
  await page.getByTestId('book-card').first().click();
  const dir = await page.locator('h1').evaluate((h) => getComputedStyle(h).direction);
  assert.equal(dir, 'rtl', 'dir=auto picks up the Arabic title');
  await shot(page, 'book-arabic');
  await page.context().close();
});

test('from a book to its author and publisher, and to related books', async () => {
  const found = await (await fetch(`${BASE}/api/v1/catalog/books/search/?q=${encodeURIComponent('moby dick')}`)).json();
  const moby = found.books.find((b) => b.title === 'Moby-Dick');
  const page = await newPage(browser, PHONE);
  await page.goto(`${BASE}/livres/${moby.id}`);
  await page.getByRole('link', { name: 'Herman Melville' }).click();
  await page.getByRole('heading', { name: 'Herman Melville' }).waitFor();
  assert.match(await page.locator('main').innerText(), /auteur[\s\S]*\b1 livre dans le catalogue/i);
  await shot(page, 'author-page');
  await page.getByRole('link', { name: /Moby-Dick/ }).first().click();
  await page.getByRole('link', { name: /Harper/ }).click();
  await page.getByRole('heading', { name: /Harper/ }).waitFor();
  assert.ok(await page.getByRole('link', { name: /Moby-Dick/ }).count() >= 1);
  await shot(page, 'publisher-page');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
