// Notifications, as a person meets them: a reader buys a book with Wave (the sandbox), the bell
// in the header counts the receipt, the notifications page shows it unread and marks it read;
// the reader turns off payment e-mails on the preferences page, buys a second book, and gets
// its receipt in the app but not by mail. An admin sends a test message, archives it, reads the
// delivery log; the inbox in Arabic (right to left). Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, DESKTOP, OUTBOX, PHONE, bookId, launch, newPage, register, shot, signIn, signInAdmin, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'notifications-1';
const SANDBOX = process.env.COKO_E2E_SANDBOX ?? 'http://127.0.0.1:4010';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

/// The mails in the outbox to `to` whose subject holds `subject`.
function mails(to, subject) {
  const files = fs.existsSync(OUTBOX) ? fs.readdirSync(OUTBOX) : [];
  return files.map((f) => fs.readFileSync(path.join(OUTBOX, f), 'utf8')).filter((m) => m.includes(`To: ${to}`) && m.includes(subject));
}

/// Pays for the book `id` with Wave on the sandbox's page; back on Coko once it succeeded.
async function buyWithWave(page, id, price) {
  await page.goto(`${BASE}/livres/${id}/acheter`);
  await page.getByLabel('Wave').check();
  await page.getByLabel('Numéro de téléphone').fill('+221 77 123 45 67');
  await page.getByTestId('checkout-submit').click();
  await page.waitForURL(new RegExp(`^${SANDBOX}/c/cos-`));
  await page.getByRole('button', { name: new RegExp(`^Payer ${price} F$`) }).click();
  await page.waitForURL(new RegExp(`^${BASE}/achats/`));
  await page.locator('[data-testid="payment-status"][data-state="succeeded"]').waitFor({ timeout: 20000 });
}

/// Reloads `url` until the bell counts `n` (the notice leaves from the job queue).
async function bellCounts(page, url, n) {
  for (let i = 0; i < 40; i++) {
    await page.goto(url);
    const count = page.getByTestId('bell-count');
    if (n === 0 ? (await count.count()) === 0 : (await count.count()) === 1 && (await count.innerText()) === String(n)) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`the bell never counted ${n}`);
}

test('a reader hears of a purchase by the bell and by mail, then turns payment mails off', async () => {
  const viewport = PHONE;
  const rain = await bookId('Lagos', 'Rain over Lagos');
  const code = await bookId('Phone', 'Learning to Code on a Phone');
  const email = unique('notifiee');
  await register(email, PASSWORD, 'Fatou Diop');
  const page = await newPage(browser, viewport);
  await signIn(page, email, PASSWORD);
  assert.equal(await page.getByTestId('bell').getAttribute('aria-label'), 'Notifications : aucune non lue');
  assert.equal(await page.getByTestId('bell-count').count(), 0);

  await buyWithWave(page, rain, '2\\s000');
  await bellCounts(page, `${BASE}/catalogue`, 1);
  assert.equal(await page.getByTestId('bell').getAttribute('aria-label'), 'Notifications : 1 non lue');
  await shot(page, 'bell');
  await page.getByTestId('bell').click();
  await page.waitForURL(`${BASE}/notifications`);
  const item = page.getByTestId('notification').first();
  assert.equal(await item.getAttribute('data-unread'), 'true');
  assert.match(await item.innerText(), /Paiement confirmé : Rain over Lagos[\s\S]*Non lue[\s\S]*2\s000\sFCFA avec Wave est confirmé/);
  await shot(page, 'notifications');
  await item.getByRole('button', { name: 'Marquer comme lue' }).click();
  await page.getByText('Notifications marquées comme lues.').waitFor();
  assert.equal(await page.getByTestId('notification').first().getAttribute('data-unread'), null);
  assert.equal(await page.getByTestId('bell-count').count(), 0);
  // The receipt came by mail too, with a one-click unsubscribe.
  const receipts = mails(email, 'Paiement confirm');
  assert.equal(receipts.length, 1);
  assert.match(receipts[0], /List-Unsubscribe: <http[^>]+\/api\/v1\/notifications\/unsubscribe\/\?t=[^>]+&c=payments>/);

  // Payment mails off, from the preferences page (linked from the inbox).
  await page.getByRole('link', { name: 'Choisir ce que Coko vous envoie' }).click();
  await page.waitForURL(`${BASE}/profil/notifications`);
  const cell = page.getByLabel('Paiements et Premium — Par e-mail');
  assert.equal(await cell.isChecked(), true);
  await cell.uncheck();
  await shot(page, 'notification-prefs');
  await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
  await page.getByText('Vos choix de notifications sont enregistrés.').waitFor();
  assert.equal(await page.getByLabel('Paiements et Premium — Par e-mail').isChecked(), false);
  // Quiet hours that do not read: the field is named, nothing is lost.
  await page.getByLabel('Activer les heures calmes').check();
  await page.getByLabel('De', { exact: true }).selectOption('22');
  await page.getByLabel("Jusqu'à").selectOption('22');
  await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
  await page.locator('#quiet_end[aria-invalid="true"]').waitFor();
  await shot(page, 'notification-prefs-error');

  // The second purchase: in the app, not by mail.
  await buyWithWave(page, code, '1\\s500');
  await bellCounts(page, `${BASE}/catalogue`, 1);
  await page.goto(`${BASE}/notifications`);
  assert.match(await page.getByTestId('notification').first().innerText(), /Learning to Code on a Phone/);
  assert.equal(mails(email, 'Paiement confirm').length, 1, 'no second receipt by mail');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`an admin sends a test message, archives it and reads the delivery log at ${w}px`, async () => {
    const page = await newPage(browser, viewport);
    await signInAdmin(page);
    await page.goto(`${BASE}/admin/notifications`);
    await page.getByLabel("Sujet du message d'essai").selectOption('payments');
    await page.getByRole('button', { name: "M'envoyer un message d'essai" }).click();
    await page.getByText("Message d'essai envoyé").waitFor();
    await bellCounts(page, `${BASE}/admin/notifications`, 1);
    await page.locator('[data-testid="delivery"][data-state="sent"]').first().waitFor();
    await shot(page, 'admin-notifications');

    await page.getByTestId('bell').click();
    await page.waitForURL(`${BASE}/notifications`);
    const first = page.getByTestId('notification').first();
    assert.match(await first.innerText(), /Message d'essai/);
    await first.getByRole('button', { name: 'Archiver' }).click();
    await page.getByText('Notification archivée.').waitFor();
    await page.getByRole('link', { name: 'Archivées' }).click();
    await page.waitForURL(`${BASE}/notifications?vue=archives`);
    assert.match(await page.getByTestId('notification').first().innerText(), /Message d'essai/);
    await shot(page, 'notifications-archived');
    await page.getByRole('link', { name: 'Choisir ce que Coko vous envoie' }).click();
    await page.waitForURL(`${BASE}/profil/notifications`);
    await page.getByLabel('Nouvelles de Coko — Par e-mail').waitFor();
    await shot(page, 'notification-prefs');

    // In Arabic, right to left.
    await page.getByTestId('settings-menu').locator('summary').click();
    await page.getByRole('button', { name: 'العربية' }).click();
    await page.goto(`${BASE}/notifications?vue=archives`);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    await page.getByRole('heading', { name: 'الإشعارات', level: 1 }).waitFor();
    assert.match(await page.getByTestId('notification').first().innerText(), /رسالة تجريبية/);
    await shot(page, 'notifications-ar');
    await page.getByTestId('settings-menu').locator('summary').click();
    await page.getByRole('button', { name: 'Français' }).click();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
