// An editor runs the catalogue's authors, publishers and categories from the admin pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE, DESKTOP, PHONE, bookId, launch, newPage, shot, waitForServer, signInAdmin } from './lib.mjs';

let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });


const loaded = (img) => img.evaluate((el) => el.complete && el.naturalWidth > 0);

test('an editor writes an author\'s biography and photo, seen on the author page (360px)', async () => {
  const page = await newPage(browser, PHONE);
  await signInAdmin(page);
  await page.getByTestId('account-menu').locator('summary').click();
  await page.getByRole('link', { name: 'Livres' }).click();
  const tabs = page.getByRole('navigation', { name: 'Gestion du catalogue' });
  await tabs.getByRole('link', { name: 'Auteurs' }).click();
  await page.getByRole('heading', { name: 'Auteurs', level: 1 }).waitFor();
  assert.equal(await tabs.getByRole('link', { name: 'Auteurs' }).getAttribute('aria-current'), 'page');
  await page.getByLabel('Le nom contient').fill('melville');
  await page.getByRole('main').getByRole('button', { name: 'Chercher' }).click();
  await page.waitForURL(/nom=melville/);
  assert.equal(await page.getByTestId('entry-row').count(), 1);
  await shot(page, 'admin-authors');
  await page.getByRole('link', { name: 'Herman Melville' }).click();
  await page.getByRole('heading', { name: 'Herman Melville', level: 1 }).waitFor();

  // An empty name is refused and named; the biography typed is kept.
  const bio = 'Romancier américain (1819-1891), marin avant d\'écrire Moby-Dick.';
  await page.getByLabel('Nom', { exact: true }).fill('');
  await page.getByLabel('Biographie').fill(bio);
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByText('Nom : ce champ est obligatoire').waitFor();
  assert.equal(await page.getByLabel('Biographie').inputValue(), bio);
  await shot(page, 'admin-author-error');
  await page.getByLabel('Nom', { exact: true }).fill('Herman Melville');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByText('Modifications enregistrées.').waitFor();

  // A photo, then the public page shows both.
  await page.locator('#photo').setInputFiles(path.resolve('public/icons/icon-192.png'));
  await page.getByRole('button', { name: 'Envoyer la photo' }).click();
  await page.getByText('Photo enregistrée.').waitFor();
  assert.ok(await loaded(page.getByTestId('author-photo')), 'the photo is drawn');
  await shot(page, 'admin-author');
  await page.getByRole('link', { name: 'Voir la page publique' }).click();
  await page.getByText(bio).waitFor();
  const photo = page.getByTestId('author-photo');
  assert.equal(await photo.getAttribute('alt'), 'Photo de Herman Melville');
  assert.ok(await loaded(photo));
  await page.getByTestId('book-card').filter({ hasText: 'Moby-Dick' }).first().waitFor();
  await shot(page, 'author-page');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

for (const viewport of [DESKTOP, PHONE]) {
  test(`an editor grows, renames and prunes the category tree at ${viewport.width}px`, async () => {
    // Names unique to this run (the flow can run again on the same data).
    const w = `${viewport.width}-${Date.now().toString(36).slice(-5)}`;
    const page = await newPage(browser, viewport);
    await signInAdmin(page);
    await page.goto(`${BASE}/admin/categories`);
    await page.getByRole('heading', { name: 'Catégories', level: 1 }).waitFor();

    // A parent, then a child under it.
    await page.getByLabel('Nom', { exact: true }).fill(`Jeunesse ${w}`);
    await page.getByRole('button', { name: 'Ajouter la catégorie' }).click();
    await page.getByText('Catégorie ajoutée.').waitFor();
    const parentUrl = new URL(page.url()).pathname;
    await page.getByRole('link', { name: 'Retour à la liste' }).click();
    await page.getByLabel('Nom', { exact: true }).fill(`Contes ${w}`);
    await page.getByLabel('Catégorie parente').selectOption({ label: `Jeunesse ${w}` });
    await page.getByRole('button', { name: 'Ajouter la catégorie' }).click();
    await page.getByText('Catégorie ajoutée.').waitFor();
    assert.equal(await page.getByLabel('Adresse (slug)').inputValue(), `contes-${w}`);

    // A bad slug is refused, naming the field; then a rename keeps the slug.
    await page.getByLabel('Adresse (slug)').fill('Mauvais Slug');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Adresse (slug) : format invalide').waitFor();
    await shot(page, 'admin-category-error');
    await page.getByLabel('Adresse (slug)').fill(`contes-${w}`);
    await page.getByLabel('Nom', { exact: true }).fill(`Contes et légendes ${w}`);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Modifications enregistrées.').waitFor();
    await page.getByRole('heading', { name: `Contes et légendes ${w}`, level: 1 }).waitFor();
    await shot(page, 'admin-category');

    // The tree shows the child under its parent.
    await page.getByRole('link', { name: 'Retour à la liste' }).click();
    const child = page.getByTestId('entry-row').filter({ hasText: `Contes et légendes ${w}` });
    assert.equal(await child.getAttribute('data-depth'), '1');
    assert.ok(await child.evaluate((el) => parseFloat(getComputedStyle(el).paddingInlineStart) >= 16), 'indented under its parent');
    await shot(page, 'admin-categories');

    // Deleting the parent: the child moves to the top.
    await page.goto(`${BASE}${parentUrl}`);
    await page.locator('summary', { hasText: 'Supprimer' }).click();
    await page.getByRole('button', { name: 'Oui, supprimer définitivement' }).click();
    await page.getByText('Supprimé, et noté au journal.').waitFor();
    assert.equal(await page.getByTestId('entry-row').filter({ hasText: `Jeunesse ${w}` }).count(), 0);
    assert.equal(await child.getAttribute('data-depth'), '0');

    // Publishers are listed with their books; the journal has the changes.
    await page.getByRole('navigation', { name: 'Gestion du catalogue' }).getByRole('link', { name: 'Éditeurs' }).click();
    await page.getByRole('heading', { name: 'Éditeurs', level: 1 }).waitFor();
    assert.ok(await page.getByTestId('entry-row').count() >= 1);
    await shot(page, 'admin-publishers');
    await page.getByRole('navigation', { name: 'Gestion du catalogue' }).getByRole('link', { name: 'Journal des modifications' }).click();
    await page.getByTestId('audit-entry').filter({ hasText: 'Catégorie supprimée' }).filter({ hasText: `Jeunesse ${w}` }).first().waitFor();
    await page.getByTestId('audit-entry').filter({ hasText: 'Catégorie modifiée' }).filter({ hasText: `Contes et légendes ${w}` }).first().waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('an editor merges a duplicate author into the one kept (360px)', async () => {
  const page = await newPage(browser, PHONE);
  await signInAdmin(page);
  // A book filed under a second spelling of its author's name: a duplicate entry.
  const id = await bookId('Contes du soir', 'Contes du soir à Bamako');
  await page.goto(`${BASE}/admin/livres/${id}`);
  await page.getByLabel('Auteurs (un par ligne)').fill('F. Keïta');
  await page.getByRole('region', { name: 'Métadonnées' }).getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByText('Livre enregistré.').waitFor();

  await page.goto(`${BASE}/admin/auteurs`);
  await page.getByLabel('Le nom contient').fill('keïta');
  await page.getByRole('main').getByRole('button', { name: 'Chercher' }).click();
  await page.waitForURL(/nom=/);
  await page.getByRole('link', { name: 'F. Keïta' }).click();
  await page.getByRole('heading', { name: 'F. Keïta', level: 1 }).waitFor();

  // Find the entry to keep by name, then merge into it.
  const merge = page.getByRole('region', { name: 'Fusionner un doublon' });
  await merge.getByLabel('Nom de la fiche à garder').fill('zzz-personne');
  await merge.getByRole('button', { name: 'Chercher' }).click();
  await merge.getByText('Aucune autre fiche ne porte ce nom.').waitFor();
  await merge.getByLabel('Nom de la fiche à garder').fill('Fatoumata');
  await merge.getByRole('button', { name: 'Chercher' }).click();
  const into = merge.getByRole('button', { name: 'Fusionner dans « Fatoumata Keïta »' });
  await into.waitFor();
  assert.equal(await merge.getByTestId('merge-into').filter({ hasText: 'F. Keïta' }).count(), 0, 'not offered into itself');
  await shot(page, 'admin-author-merge');
  await into.click();
  await page.getByText('Fiches fusionnées').waitFor();
  await page.getByRole('heading', { name: 'Fatoumata Keïta', level: 1 }).waitFor();
  assert.match(await page.getByRole('main').innerText(), /Sur 1 livre, brouillons compris/);
  await shot(page, 'admin-author-merged');

  // The duplicate is gone; the book names the author kept; the journal says so.
  await page.goto(`${BASE}/admin/auteurs?nom=${encodeURIComponent('Keïta')}`);
  assert.deepEqual(await page.getByTestId('entry-row').allInnerTexts().then((rows) => rows.map((r) => r.split(/[\t\n]/)[0])), ['Fatoumata Keïta']);
  await page.goto(`${BASE}/livres/${id}`);
  await page.getByRole('main').getByRole('link', { name: 'Fatoumata Keïta' }).first().waitFor();
  await page.goto(`${BASE}/admin/journal`);
  await page.getByTestId('audit-entry').filter({ hasText: 'Auteurs fusionnés' }).filter({ hasText: 'F. Keïta' }).first().waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an editor merges a duplicate category, its subcategories with it, never into its own branch (1280px)', async () => {
  const w = Date.now().toString(36).slice(-5);
  const page = await newPage(browser, DESKTOP);
  await signInAdmin(page);
  const add = async (name, parent) => {
    await page.goto(`${BASE}/admin/categories`);
    await page.getByLabel('Nom', { exact: true }).fill(name);
    if (parent) await page.getByLabel('Catégorie parente').selectOption({ label: parent });
    await page.getByRole('button', { name: 'Ajouter la catégorie' }).click();
    await page.getByText('Catégorie ajoutée.').waitFor();
    return new URL(page.url()).pathname;
  };
  // "Récits" kept; "Histoires vécues", the same shelf under another name, with a subcategory.
  const kept = `Récits ${w}`, dup = `Histoires vécues ${w}`, sub = `Récits de voyage ${w}`;
  const keptUrl = await add(kept);
  const dupUrl = await add(dup);
  await add(sub, dup);

  await page.goto(`${BASE}${dupUrl}`);
  const merge = page.getByRole('region', { name: 'Fusionner un doublon' });
  await merge.getByText('les livres et les sous-catégories').waitFor();
  await merge.getByLabel('Nom de la fiche à garder').fill(kept);
  await merge.getByRole('button', { name: 'Chercher' }).click();
  await merge.getByRole('button', { name: `Fusionner dans « ${kept} »` }).click();
  await page.getByText('Fiches fusionnées').waitFor();
  assert.equal(new URL(page.url()).pathname, keptUrl);
  await page.getByRole('heading', { name: kept, level: 1 }).waitFor();
  await shot(page, 'admin-category-merged');

  // The subcategory now sits under the one kept; the duplicate is gone.
  await page.goto(`${BASE}/admin/categories`);
  assert.equal(await page.getByTestId('entry-row').filter({ hasText: dup }).count(), 0);
  assert.equal(await page.getByTestId('entry-row').filter({ hasText: sub }).getAttribute('data-depth'), '1');
  // Its own subcategory is never offered to merge it into (the tree would loop).
  await page.goto(`${BASE}${keptUrl}`);
  await merge.getByLabel('Nom de la fiche à garder').fill(sub);
  await merge.getByRole('button', { name: 'Chercher' }).click();
  await merge.getByText('Aucune autre fiche ne porte ce nom.').waitFor();
  assert.equal(await merge.getByTestId('merge-into').count(), 0);
  await page.goto(`${BASE}/admin/journal`);
  await page.getByTestId('audit-entry').filter({ hasText: 'Catégories fusionnées' }).filter({ hasText: kept }).first().waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
