// Follows and broadcasts, as people meet them: a reader follows an author from the author's
// page and a category from its catalogue; an editor saves one of that author's new books and
// the reader's bell counts "Nouveau livre de …" once (not twice for following both); the reader
// lets the category go from the preferences page. An admin writes an announcement, is told which
// field is missing, counts who will get it per channel, sends it, and the reader — who takes the
// chatty categories as a daily digest — finds it in the app at once. Screenshots at 360 px and
// 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, launch, mailedLink, newPage, register, shot, signIn, signInAdmin, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'follows-e2e-1';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

/// Reloads the inbox until a notification titled like `title` is there; its text.
async function notified(page, title) {
  for (let i = 0; i < 60; i++) {
    await page.goto(`${BASE}/notifications`);
    const found = page.getByTestId('notification').filter({ hasText: title });
    if ((await found.count()) > 0) return found;
    await page.waitForTimeout(250);
  }
  throw new Error(`no notification ${title}`);
}

/// Both widths of the page as it is now.
async function shots(page, name) {
  await shot(page, name);
  await page.setViewportSize(DESKTOP);
  await shot(page, name);
  await page.setViewportSize(PHONE);
}

test('a reader follows an author and a category, hears of a new book once, and an admin broadcasts news', async () => {
  const contes = await bookId('Bamako', 'Contes du soir à Bamako');
  const email = unique('follower');
  await register(email, PASSWORD, 'Khadija Sarr');
  const page = await newPage(browser, PHONE);
  // A verified address: announcements go to verified accounts only.
  await page.goto(`${BASE}${await mailedLink(email, '/verifier-email')}`);
  await signIn(page, email, PASSWORD);

  // The author, from the book's page.
  await page.goto(`${BASE}/livres/${contes}`);
  await page.getByRole('link', { name: 'Fatoumata Keïta' }).first().click();
  await page.waitForURL(/\/auteurs\//);
  const follow = page.getByTestId('follow');
  assert.equal(await follow.innerText(), 'Suivre');
  await page.getByText('Suivez Fatoumata Keïta pour être prévenu de ses nouveaux livres.').waitFor();
  await follow.click();
  await page.getByText("C'est noté : vous serez prévenu de ses nouveaux livres.").waitFor();
  assert.equal(await page.getByTestId('follow').innerText(), 'Ne plus suivre');
  assert.equal(await page.getByTestId('follow').getAttribute('aria-pressed'), 'true');
  await shots(page, 'follow-author');

  // The category, from its catalogue.
  await page.goto(`${BASE}/catalogue?categorie=contes`);
  await page.getByText('Suivez « Contes » pour être prévenu des nouveaux livres de cette catégorie.').waitFor();
  await page.getByTestId('follow').click();
  await page.getByText("C'est noté : vous serez prévenu de ses nouveaux livres.").waitFor();
  assert.match(page.url(), /categorie=contes/);
  assert.equal(await page.getByTestId('follow').innerText(), 'Ne plus suivre');
  await shots(page, 'follow-category');

  // A visitor is asked to sign in first.
  const visitor = await newPage(browser, PHONE);
  await visitor.goto(`${BASE}/catalogue?categorie=contes`);
  assert.equal(await visitor.getByTestId('follow').innerText(), 'Se connecter pour suivre');
  await visitor.context().close();

  // An editor saves the book: its followers hear of it, once.
  const admin = await newPage(browser, DESKTOP);
  await signInAdmin(admin);
  await admin.goto(`${BASE}/admin/livres/${contes}`);
  // (Taken off the home page's picks and put back: the catalogue is as it was for the next flows.)
  const featured = admin.getByLabel('À la une');
  const was = await featured.isChecked();
  for (const on of [!was, was]) {
    await admin.getByLabel('À la une').setChecked(on);
    await admin.getByRole('button', { name: 'Enregistrer' }).first().click();
    await admin.getByText('Livre enregistré.').waitFor();
  }
  const item = await notified(page, 'Nouveau livre de Fatoumata Keïta : Contes du soir à Bamako');
  assert.match(await item.innerText(), /« Contes du soir à Bamako » de Fatoumata Keïta vient de paraître sur Coko/);
  await shots(page, 'follow-notified');
  assert.equal(await page.getByTestId('notification').filter({ hasText: 'Contes du soir à Bamako' }).count(), 1, 'once, though both are followed');
  await item.getByRole('link').first().click();
  await page.waitForURL(`${BASE}/livres/${contes}`);

  // What the reader follows, on the preferences page; the category let go from there.
  await page.goto(`${BASE}/profil/notifications#suivis`);
  const list = page.getByTestId('follow-item');
  assert.equal(await list.count(), 2);
  await page.getByRole('button', { name: 'Ne plus suivre : Contes' }).click();
  await page.getByText('Vous ne le suivez plus.').waitFor();
  assert.equal(await page.getByTestId('follow-item').count(), 1);
  assert.match(await page.getByTestId('follows').innerText(), /Fatoumata Keïta/);
  await page.locator('#suivis').scrollIntoViewIfNeeded();
  await shots(page, 'follows-list');
  // The chatty categories as one summary a day.
  await page.getByLabel("Hors de l'application").selectOption('daily');
  await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
  await page.getByText('Vos choix de notifications sont enregistrés.').waitFor();
  assert.equal(await page.getByLabel("Hors de l'application").inputValue(), 'daily');
  await page.getByRole('heading', { name: 'Messages fréquents' }).scrollIntoViewIfNeeded();
  await shots(page, 'digest-daily');

  // An announcement: a missing title is named, then counted, then sent.
  await admin.goto(`${BASE}/admin/notifications`);
  const box = admin.getByTestId('broadcast-box');
  await box.getByLabel('Message', { exact: true }).fill('Vingt livres de contes et de romans arrivent cette semaine.');
  await box.getByLabel('Pays (code, vide : tous)').fill('SN');
  await box.getByTestId('broadcast-preview').click();
  await admin.getByText('Titre : ce champ est obligatoire').first().waitFor();
  assert.equal(await admin.locator('#title').getAttribute('aria-invalid'), 'true');
  assert.equal(await admin.locator('#body').inputValue(), 'Vingt livres de contes et de romans arrivent cette semaine.', 'nothing typed is lost');
  await admin.locator('#broadcasts').scrollIntoViewIfNeeded();
  await shot(admin, 'broadcast-error');
  await admin.locator('#title').fill('La semaine du conte');
  await admin.getByTestId('broadcast-preview').click();
  const reach = admin.getByTestId('broadcast-reach');
  await reach.waitFor();
  assert.ok(Number(await reach.getByTestId('reach-readers').innerText()) >= 1);
  assert.match(await reach.innerText(), /Dans l'application : \d+/);
  assert.match(await reach.innerText(), /GSM-7, 1 partie/);
  await reach.scrollIntoViewIfNeeded();
  await shot(admin, 'broadcast-reach');
  await admin.setViewportSize(PHONE);
  await shot(admin, 'broadcast-reach');
  await admin.setViewportSize(DESKTOP);
  await admin.getByTestId('broadcast-send').click();
  await admin.getByText('Annonce envoyée').waitFor();
  assert.match(await admin.getByTestId('broadcast').first().innerText(), /La semaine du conte[\s\S]*SN/);
  // The admin reads in Senegal too: the announcement is in their inbox as well; read.
  await notified(admin, 'La semaine du conte');
  await admin.getByRole('button', { name: 'Tout marquer comme lu' }).click();
  await admin.getByText('Notifications marquées comme lues.').waitFor();
  await admin.context().close();

  const news = await notified(page, 'La semaine du conte');
  assert.match(await news.innerText(), /Vingt livres de contes/);
  await shots(page, 'broadcast-received');
  // In Arabic, right to left: what the reader follows and the digest choice.
  await page.getByTestId('settings-menu').locator('summary').click();
  await page.getByRole('button', { name: 'العربية' }).click();
  await page.goto(`${BASE}/profil/notifications#suivis`);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  await page.getByRole('heading', { name: 'ما تتابعه' }).waitFor();
  assert.equal(await page.getByLabel('خارج التطبيق').inputValue(), 'daily');
  await page.locator('#suivis').scrollIntoViewIfNeeded();
  await shots(page, 'follows-ar');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
