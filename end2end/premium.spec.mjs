// A reader takes Premium with Orange Money, as a person does: a premium book's page says it is
// included in Premium and leads to the pricing page; the reader picks the month, pays on Orange
// Money's page with a number and a one-time code (the sandbox, a separate server that follows
// Orange's WebPay contract), comes back to "Premium est actif",
// and opens the book; "Mes achats" shows until when. The pricing page in Arabic (right to
// left). An admin changes a plan's price (a price that does not read is named on its field).
// Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, launch, newPage, register, shot, signIn, signInAdmin, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'premium-lecture-1';
const SANDBOX = process.env.COKO_E2E_SANDBOX ?? 'http://127.0.0.1:4010';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`a reader takes Premium with Orange Money and opens a premium book at ${w}px`, async () => {
    const id = await bookId('Mathématiques', 'Mathématiques pour tous');
    const email = unique(`premium${w}`);
    await register(email, PASSWORD, 'Khady Sarr');
    const page = await newPage(browser, viewport);
    await signIn(page, email, PASSWORD);

    // On sale on its own and included in Premium: both ways are offered.
    await page.goto(`${BASE}/livres/${id}`);
    await page.getByTestId('premium-badge').waitFor();
    assert.match(await page.getByTestId('premium-badge').innerText(), /^★\s*Inclus dans Premium$/);
    assert.match(await page.getByTestId('buy-button').innerText(), /^Acheter — 1\s000\sFCFA$/);
    assert.equal(await page.getByTestId('read-button').count(), 0);
    await shot(page, 'book-premium');

    await page.getByTestId('premium-link').click();
    await page.waitForURL(`${BASE}/premium`);
    await page.getByRole('heading', { name: 'Coko Premium', level: 1 }).waitFor();
    const plans = page.getByTestId('plan');
    assert.equal(await plans.count(), 2);
    assert.match(await plans.nth(0).innerText(), /Premium mensuel[\s\S]*2\s000\sFCFA[\s\S]*par mois/);
    assert.match(await plans.nth(1).innerText(), /Premium annuel[\s\S]*20\s000\sFCFA[\s\S]*par an[\s\S]*soit 1\s643\sFCFA par mois/);
    await shot(page, 'premium');

    await plans.nth(0).getByTestId('plan-choose').click();
    await page.waitForURL(`${BASE}/premium/monthly`);
    assert.equal(await page.getByTestId('checkout-title').innerText(), 'Coko Premium mensuel');
    assert.match(await page.getByTestId('checkout-price').innerText(), /^2\s000\sFCFA$/);
    await page.getByLabel('Orange Money').check();
    await shot(page, 'checkout-premium');
    await page.getByTestId('checkout-submit').click();
    // Orange asks for the number and a one-time code on its own page.
    await page.waitForURL(new RegExp(`^${SANDBOX}/orange-webpay/payment/pay_token/`));
    assert.match(await page.locator('.amount').innerText(), /^2\s000 FCFA$/);
    await page.getByLabel('Votre numéro Orange Money').fill('07 00 11 22 33');
    await page.getByLabel(/^Code de paiement/).fill('4321');
    await shot(page, 'orange-page');
    await page.getByRole('button', { name: /^Confirmer le paiement de 2\s000 FCFA$/ }).click();
    await page.waitForURL(new RegExp(`^${BASE}/achats/`));
    await page.locator('[data-testid="payment-status"][data-state="succeeded"]').waitFor({ timeout: 20000 });
    await page.getByText('Premium est actif : tous les livres premium vous sont ouverts.').waitFor();
    await shot(page, 'payment-premium');
    // The invoice, numbered for the year, is a PDF to download.
    const invoice = await page.request.get(BASE + await page.getByTestId('invoice-link').getAttribute('href'));
    assert.equal(invoice.status(), 200);
    assert.equal(invoice.headers()['content-type'], 'application/pdf');
    assert.match((await invoice.body()).toString('latin1'), new RegExp(`COKO-${new Date().getUTCFullYear()}-\\d{6}`));

    await page.getByTestId('payment-read').click();
    await page.waitForURL(`${BASE}/premium`);
    const status = page.getByTestId('premium-status');
    assert.match(await status.innerText(), /Premium mensuel : actif jusqu'au \d{1,2} \S+ \d{4}\.[\s\S]*Il reste 30 jours\./);
    assert.equal(await plans.nth(0).getByTestId('plan-choose').innerText(), 'Prolonger');
    await shot(page, 'premium-active');

    // The premium book opens now, without buying it.
    await page.goto(`${BASE}/livres/${id}`);
    await page.getByTestId('read-button').click();
    await page.waitForURL(`${BASE}/lire/${id}`);

    await page.goto(`${BASE}/achats`);
    await page.getByTestId('premium-status').waitFor();
    assert.match(await page.getByTestId('purchase').first().innerText(), /Coko Premium mensuel[\s\S]*Payé/);
    await shot(page, 'purchases-premium');

    // The pricing page in Arabic reads right to left.
    await page.goto(`${BASE}/premium`);
    await page.getByTestId('settings-menu').locator('summary').click();
    await page.getByRole('button', { name: 'العربية' }).click();
    await page.getByRole('heading', { name: 'كوكو بريميوم', level: 1 }).waitFor();
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.match(await page.getByTestId('premium-status').innerText(), /بريميوم شهري: مفعّل حتى/);
    await shot(page, 'premium-arabic');
    await page.getByTestId('settings-menu').locator('summary').click();
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { name: 'Coko Premium', level: 1 }).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`an admin reads the revenue and changes the monthly price at ${w}px`, async () => {
    const page = await newPage(browser, viewport);
    await signInAdmin(page);
    await page.goto(`${BASE}/admin/paiements`);
    await page.getByRole('navigation', { name: 'Gestion du catalogue' }).getByRole('link', { name: 'Revenus' }).click();
    await page.waitForURL(`${BASE}/admin/revenus`);
    await page.getByRole('heading', { name: 'Revenus', level: 1 }).waitFor();
    // The readers' Premium months paid with Orange Money are this month's revenue.
    const month = new Date().toISOString().slice(0, 7);
    const row = page.locator(`[data-testid="revenue-month"][data-month="${month}"]`);
    assert.match(await row.innerText(), /\d/);
    const orange = page.locator('[data-testid="revenue-provider"][data-provider="orange"]');
    assert.match(await orange.innerText(), /Orange Money\s+[1-9][\d\s]*\sFCFA/);
    await page.getByTestId('revenue-chart').waitFor();
    await shot(page, 'admin-revenue');

    await page.getByRole('navigation', { name: 'Gestion du catalogue' }).getByRole('link', { name: 'Formules' }).click();
    await page.waitForURL(`${BASE}/admin/formules`);
    const monthly = page.locator('[data-testid="admin-plan"][data-plan="monthly"]');
    const price = monthly.getByLabel('Prix en FCFA');
    assert.equal(await price.inputValue(), '2000');
    await price.fill('deux mille');
    await monthly.getByRole('button', { name: 'Enregistrer « Premium mensuel »' }).click();
    await page.locator('#price-monthly[aria-invalid="true"]').waitFor();
    assert.equal(await price.inputValue(), 'deux mille', 'what was typed is kept');
    await shot(page, 'admin-plans-error');

    await price.fill('2 500');
    await monthly.getByRole('button', { name: 'Enregistrer « Premium mensuel »' }).click();
    await page.getByText('La formule a été enregistrée.').waitFor();
    assert.equal(await monthly.getByLabel('Prix en FCFA').inputValue(), '2500');
    await shot(page, 'admin-plans');
    await page.goto(`${BASE}/premium`);
    assert.match(await page.getByTestId('plan').nth(0).innerText(), /2\s500\sFCFA/);

    // Back to the default for whoever comes next.
    await page.goto(`${BASE}/admin/formules`);
    await monthly.getByLabel('Prix en FCFA').fill('2000');
    await monthly.getByRole('button', { name: 'Enregistrer « Premium mensuel »' }).click();
    await page.getByText('La formule a été enregistrée.').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
