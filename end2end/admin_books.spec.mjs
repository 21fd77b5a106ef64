// An editor uploads books and sets their status and price from the admin pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BASE, DESKTOP, PHONE, launch, newPage, shot, waitForServer, signInAdmin } from './lib.mjs';

const CORPUS = process.env.COKO_CORPUS ?? '../shared/corpus';
let browser;
// Writes an EPUB whose package declares nested entities (a small billion-laughs) to argv[1].
const HOSTILE_EPUB = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr(zipfile.ZipInfo('mimetype'), 'application/epub+zip')
    z.writestr('META-INF/container.xml', '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
    z.writestr('content.opf', '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&b;</dc:title></metadata><manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine></package>')
    z.writestr('c.xhtml', '<html><body/></html>')
`;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });


for (const viewport of [PHONE, DESKTOP]) {
  test(`editor uploads, refuses a broken file, publishes with a price at ${viewport.width}px`, async () => {
    const w = viewport.width;
    const page = await newPage(browser, viewport);
    await signInAdmin(page);
    await page.getByTestId('account-menu').locator('summary').click();
    await page.getByRole('link', { name: 'Livres' }).click();
    await page.getByRole('heading', { name: 'Livres du catalogue' }).waitFor();
    assert.ok(await page.getByTestId('admin-book-row').count() > 10);
    await shot(page, 'admin-books');

    // A broken file is refused with its reason.
    await page.getByRole('link', { name: 'Importer un livre' }).click();
    const broken = path.join(os.tmpdir(), `broken-${Date.now()}.epub`);
    fs.writeFileSync(broken, '<html><script>alert(1)</script></html>');
    await page.getByLabel('Fichier EPUB ou PDF').setInputFiles(broken);
    await page.getByRole('button', { name: 'Importer' }).click();
    assert.match(await page.getByTestId('upload-refused').innerText(), /Fichier refusé : ce n'est pas une archive EPUB lisible/);
    await shot(page, 'upload-refused');
    // A crafted book (entity declarations in its package) is refused, said in plain words.
    const hostile = path.join(os.tmpdir(), `piege-${Date.now()}.epub`);
    execFileSync('python3', ['-c', HOSTILE_EPUB, hostile]);
    await page.getByLabel('Fichier EPUB ou PDF').setInputFiles(hostile);
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.getByTestId('upload-refused').getByText(/contient du XML fabriqué pour épuiser les lecteurs/).waitFor();
    assert.doesNotMatch(await page.getByTestId('upload-refused').innerText(), /Invalid|bug|quick_xml|entity/i, 'no parser internals');
    await shot(page, 'upload-refused-hostile');

    // A real book: already catalogued by the import, so it opens its page to edit.
    // Sent over a slow line (40 KB/s up): the progress bar and the figures show what is sent.
    await page.getByLabel('Fichier EPUB ou PDF').setInputFiles(path.join(CORPUS, 'epub', 'childrens-literature.epub'));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: -1, uploadThroughput: 40 * 1024 });
    await page.getByRole('button', { name: 'Importer' }).click();
    await page.getByTestId('upload-progress').waitFor();
    await page.getByText(/^Envoi : [1-9]\d* % \(\d/).waitFor();
    assert.equal(await page.getByTestId('upload-refused').isVisible(), false, 'the earlier refusal is gone while the next file is sent');
    await shot(page, 'upload-progress');
    assert.ok(await page.getByRole('button', { name: 'Importer' }).isDisabled(), 'one upload at a time');
    await page.getByText('Ce fichier est déjà dans le catalogue.').waitFor({ timeout: 30000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    assert.match(new URL(page.url()).pathname, /^\/admin\/livres\/[0-9a-f-]{36}$/, 'the address is the book page');
    // The file's subjects are offered as categories: one click files the book.
    const subjects = page.getByTestId('subject-suggestions');
    await subjects.getByText('Children > Books and reading').waitFor();
    await subjects.getByRole('button', { name: 'Classer ici : Children > Books and reading' }).click();
    await page.getByText('Livre enregistré.').waitFor();
    assert.match(await page.getByLabel('Catégories').inputValue(), /Books and reading/);
    assert.equal(await page.getByTestId('subject-suggestions').getByText('Children > Books and reading').count(), 0, 'no longer suggested');
    await page.getByLabel('Statut').selectOption('published');
    await page.getByLabel('Prix en FCFA (0 = gratuit)').fill('750');
    await page.getByLabel('À la une').check();
    await shot(page, 'admin-book');
    await page.getByRole('button', { name: 'Enregistrer' }).first().click();
    await page.getByText('Livre enregistré.').waitFor();
    assert.equal(await page.getByLabel('Prix en FCFA (0 = gratuit)').inputValue(), '750');
    // Correct the metadata: a missing title is named, a subtitle is kept.
    await page.getByLabel('Titre', { exact: true }).fill('');
    await page.getByRole('region', { name: 'Métadonnées' }).getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Titre : ce champ est obligatoire').waitFor();
    await shot(page, 'metadata-error');
    await page.getByLabel('Titre', { exact: true }).fill("Children's Literature");
    await page.getByLabel('Sous-titre').fill('A Textbook of Sources for Teachers');
    // Filed in the category tree: a new parent and child, made as they are named.
    await page.getByLabel('Catégories').fill(`Essais > Pédagogie ${w}\nJeunesse`);
    await page.getByRole('region', { name: 'Métadonnées' }).getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Livre enregistré.').waitFor();
    await page.getByRole('link', { name: 'Voir la page du livre' }).click();
    assert.equal(await page.getByTestId('book-price').innerText(), '750\u00a0FCFA');
    await page.getByText('A Textbook of Sources for Teachers').waitFor();
    await page.getByRole('list', { name: 'Catégories' }).getByRole('link', { name: `Pédagogie ${w}` }).click();
    await page.waitForURL(new RegExp(`categorie=pedagogie-${w}`));
    await page.getByRole('link', { name: /Children's Literature/ }).waitFor();
    await page.context().close();
  });
}

test('an editor deletes a book after confirming; it leaves the catalogue', async () => {
  const found = await (await fetch(`${BASE}/api/v1/catalog/books/search/?q=${encodeURIComponent('pêcheurs joal')}`)).json();
  const book = found.books.find((b) => b.title === 'Les Pêcheurs de Joal');
  assert.ok(book, 'the demo book is in the catalogue');
  const page = await newPage(browser, PHONE);
  await signInAdmin(page);
  await page.goto(`${BASE}/admin/livres/${book.id}`);
  const zone = page.getByRole('region', { name: 'Supprimer ce livre' });
  await zone.locator('summary').click();
  await shot(page, 'admin-book-delete');
  await zone.getByRole('button', { name: 'Oui, supprimer définitivement' }).click();
  await page.getByText('Le livre a été supprimé.').waitFor();
  assert.equal(new URL(page.url()).pathname, '/admin/livres');
  const res = await page.goto(`${BASE}/livres/${book.id}`);
  assert.equal(res.status(), 404);
  const again = await (await fetch(`${BASE}/api/v1/catalog/books/search/?q=${encodeURIComponent('pêcheurs joal')}`)).json();
  assert.ok(!again.books.some((b) => b.id === book.id), 'out of the search index');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an admin reads who changed what in the journal, and filters it', async () => {
  const page = await newPage(browser, PHONE);
  await signInAdmin(page);
  await page.getByTestId('account-menu').locator('summary').click();
  await page.getByRole('link', { name: 'Journal des modifications' }).click();
  await page.getByRole('heading', { name: 'Journal des modifications' }).waitFor();
  // What the earlier flows did: a price set, metadata corrected, a book deleted.
  const entries = page.getByTestId('audit-entry');
  await entries.filter({ hasText: 'Livre supprimé' }).filter({ hasText: 'Les Pêcheurs de Joal' }).first().waitFor();
  await entries.filter({ hasText: 'Statut ou prix modifié' }).filter({ hasText: 'price : 0 → 750' }).first().waitFor();
  await entries.filter({ hasText: 'Métadonnées corrigées' }).filter({ hasText: 'A Textbook of Sources for Teachers' }).first().waitFor();
  await shot(page, 'admin-journal');
  await page.getByLabel('Action').selectOption({ label: 'Livre supprimé' });
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL(/action=book_deleted/);
  const kinds = await entries.locator('span.rounded-full').allInnerTexts();
  assert.ok(kinds.length >= 1 && kinds.every((k) => k === 'Livre supprimé'), kinds.join(', '));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an editor changes several books at once from the list', async () => {
  const page = await newPage(browser, PHONE);
  await signInAdmin(page);
  await page.goto(`${BASE}/admin/livres`);
  // Nothing ticked: the form says what is missing.
  await page.getByLabel('Action sur les livres cochés').selectOption('classer');
  await page.getByRole('button', { name: 'Appliquer' }).click();
  await page.getByText(/Catégorie \(pour classer\) : ce champ est obligatoire/).waitFor();
  await shot(page, 'admin-bulk-error');
  // Two books ticked, filed in a new category.
  const rows = page.getByTestId('admin-book-row');
  const titles = [await rows.nth(0).locator('a').innerText(), await rows.nth(1).locator('a').innerText()];
  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(1).getByRole('checkbox').check();
  await page.getByLabel('Action sur les livres cochés').selectOption('classer');
  await page.getByLabel('Catégorie (pour classer)').fill('Sélections > Lot du jour');
  await page.getByRole('button', { name: 'Appliquer' }).click();
  await page.getByText('Livres modifiés.').waitFor();
  await page.goto(`${BASE}/catalogue?categorie=lot-du-jour`);
  assert.equal(await page.getByTestId('catalog-count').innerText(), '2 livres');
  for (const t of titles) await page.getByTestId('book-card').filter({ hasText: t }).first().waitFor();
  await shot(page, 'admin-bulk-filed');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
