// A reader buys a paid book with Wave, as a person does: the book page offers to buy it at
// its price, the checkout page asks for the Wave number (a number from the wrong country is
// refused on its field), Wave's page (the sandbox, a separate server that follows Wave's
// contract) refuses for insufficient funds, the reader tries again, pays while Wave's API is
// down (the return page says "en cours", never "échoué", and updates itself), then reads the
// book; "Mes achats" lists the payment. Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, launch, newPage, register, shot, signIn, signInAdmin, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'achat-livre-1';
/// Who bought at each width, for the admin's test that follows.
const buyers = {};
const SANDBOX = process.env.COKO_E2E_SANDBOX ?? 'http://127.0.0.1:4010';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

/// Switches the sandbox's faults (what Wave's API does next).
async function faults(body) {
  const r = await fetch(`${SANDBOX}/_sandbox/wave/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 204);
}

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`a reader buys a book with Wave after a refusal, through an outage, and reads it at ${w}px`, async () => {
    // Not the demo book the admin test deletes (Les Pêcheurs de Joal).
    const id = await bookId('Kankan', 'La Route de Kankan');
    const email = unique(`acheteuse${w}`);
    buyers[w] = email;
    await register(email, PASSWORD, 'Mariama Fall');
    const page = await newPage(browser, viewport);
    await signIn(page, email, PASSWORD);

    await page.goto(`${BASE}/livres/${id}`);
    const buy = page.getByTestId('buy-button');
    assert.match(await buy.innerText(), /^Acheter — 2\s500\sFCFA$/);
    assert.equal(await page.getByTestId('read-button').count(), 0, 'no read button before paying');
    await shot(page, 'book-paid');

    await buy.click();
    await page.waitForURL(`${BASE}/livres/${id}/acheter`);
    assert.equal(await page.getByTestId('checkout-title').innerText(), 'La Route de Kankan');
    assert.equal(await page.getByLabel('Wave').isChecked(), true, 'the only provider is chosen');
    // A French number: Wave does not work there, and the field says so.
    await page.getByLabel('Numéro de téléphone').fill('+33 6 12 34 56 78');
    await page.getByTestId('checkout-submit').click();
    await page.locator('#phone[aria-invalid="true"]').waitFor();
    assert.equal(await page.getByLabel('Numéro de téléphone').inputValue(), '+33 6 12 34 56 78', 'what was typed is kept');
    await shot(page, 'checkout-error');

    await page.getByLabel('Numéro de téléphone').fill('+221 77 123 45 67');
    await shot(page, 'checkout');
    await page.getByTestId('checkout-submit').click();
    await page.waitForURL(new RegExp(`^${SANDBOX}/c/cos-`));
    const wave = page.url();
    await page.getByRole('heading', { name: /^Payer/ }).waitFor();
    assert.match(await page.locator('.amount').innerText(), /^2\s500 F$/);
    await shot(page, 'wave-page');

    // Insufficient funds: back on Coko, told why in French, with a way to try again.
    await page.getByRole('button', { name: 'Simuler : solde insuffisant' }).click();
    await page.waitForURL(new RegExp(`^${BASE}/achats/`));
    const paymentUrl = page.url();
    await page.locator('[data-testid="payment-status"][data-state="failed"]').waitFor();
    assert.equal(await page.getByTestId('payment-failure').innerText(), 'Le solde du compte ne suffit pas.');
    await shot(page, 'payment-failed');

    // Trying again leads to the same Wave session (one payment, one session).
    await page.getByRole('link', { name: 'Réessayer' }).click();
    await page.getByLabel('Numéro de téléphone').fill('+221 77 123 45 67');
    await page.getByTestId('checkout-submit').click();
    await page.waitForURL(wave);

    // Wave's API goes down just as the reader pays: the page says the payment is on its way.
    await faults({ api: 'error', calls: 1000 });
    try {
      await page.getByRole('button', { name: /^Payer 2\s500 F$/ }).click();
      await page.waitForURL(paymentUrl);
      await page.locator('[data-testid="payment-status"][data-state="pending"]').waitFor();
      await page.getByText('Avec le mobile money, la confirmation peut prendre une minute').waitFor();
      await shot(page, 'payment-pending');
    } finally {
      await faults({ api: 'none' });
    }
    // Wave answers again: the page, reloading by itself, shows the payment received.
    await page.locator('[data-testid="payment-status"][data-state="succeeded"]').waitFor({ timeout: 20000 });
    await shot(page, 'payment-succeeded');
    await page.getByTestId('payment-read').click();
    await page.waitForURL(`${BASE}/lire/${id}`);

    await page.goto(`${BASE}/livres/${id}`);
    await page.getByTestId('read-button').waitFor();
    assert.equal(await page.getByTestId('buy-button').count(), 0, 'bought: no buy button any more');

    await page.getByTestId('account-menu').locator('summary').click();
    await page.getByRole('link', { name: 'Mes achats' }).click();
    await page.waitForURL(`${BASE}/achats`);
    const rows = page.getByTestId('purchase');
    assert.equal(await rows.count(), 1, 'one payment, however many tries');
    assert.match(await rows.first().innerText(), /La Route de Kankan[\s\S]*Payé/);
    await shot(page, 'purchases');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`an admin finds the payment, reads what Wave said, checks it again and refunds it at ${w}px`, async () => {
    const email = buyers[w];
    assert.ok(email, 'the purchase test ran first');
    const page = await newPage(browser, viewport);
    await signInAdmin(page);
    await page.goto(`${BASE}/admin/journal`);
    await page.getByRole('navigation', { name: 'Gestion du catalogue' }).getByRole('link', { name: 'Paiements' }).click();
    await page.waitForURL(`${BASE}/admin/paiements`);
    await page.getByLabel('État').selectOption({ label: 'Payé' });
    await page.getByLabel('Lecteur (e-mail)').fill(email);
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/etat=succeeded/);
    const rows = page.getByTestId('admin-payment');
    assert.equal(await rows.count(), 1);
    await shot(page, 'admin-payments');

    await rows.first().getByRole('link', { name: 'La Route de Kankan' }).click();
    await page.getByRole('heading', { name: 'La Route de Kankan', level: 1 }).waitFor();
    assert.ok(await page.getByTestId('payment-event').count() >= 3, 'the session, the refusal and the payment are in the history');
    await page.getByRole('button', { name: 'Vérifier auprès du fournisseur' }).click();
    await page.getByText('Le fournisseur a été interrogé').waitFor();

    // Refunding needs the tick; then Wave gives the money back and the reader loses the book.
    await page.getByRole('button', { name: 'Rembourser' }).click();
    await page.getByText('cochez la case pour confirmer le remboursement').first().waitFor();
    await shot(page, 'admin-payment-refund-error');
    await page.getByLabel('Je confirme le remboursement complet').check();
    await page.getByRole('button', { name: 'Rembourser' }).click();
    await page.getByText('Le paiement a été remboursé et l\'accès au livre retiré.').waitFor();
    await page.locator('[data-testid="admin-payment-state"] [data-state="refunded"]').waitFor();
    await shot(page, 'admin-payment');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
