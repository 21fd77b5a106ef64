// A reader pays by card through Stripe (a declined card first, then the test card) and another
// through PayPal (charged in euros at the peg: 1 500 FCFA is 2,29 EUR), as people do: the
// checkout page, the provider's page (the sandbox, a separate server that follows each
// provider's contract), back to Coko's return page, which updates itself until the provider has
// confirmed, then the book opens. Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, launch, newPage, register, shot, signIn, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'carte-bancaire-1';
const SANDBOX = process.env.COKO_E2E_SANDBOX ?? 'http://127.0.0.1:4010';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;

  test(`a reader pays by card through Stripe after a declined card at ${w}px`, async () => {
    const id = await bookId('Lagos', 'Rain over Lagos');
    const email = unique(`carte${w}`);
    await register(email, PASSWORD, 'Chidi Okeke');
    const page = await newPage(browser, viewport);
    await signIn(page, email, PASSWORD);
    await page.goto(`${BASE}/livres/${id}/acheter`);
    await page.getByLabel('Stripe').check();
    await page.getByTestId('checkout-submit').click();
    await page.waitForURL(new RegExp(`^${SANDBOX}/stripe/pay/cs_test_`));
    await page.getByLabel(/carte/i).first().fill('4000 0000 0000 0002');
    await page.getByRole('button', { name: /^Payer/ }).click();
    await page.getByText('Votre carte a été refusée.').waitFor();
    await shot(page, 'stripe-declined');
    await page.getByLabel(/carte/i).first().fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Payer/ }).click();
    await page.waitForURL(new RegExp(`^${BASE}/achats/`));
    await page.locator('[data-testid="payment-status"][data-state="succeeded"]').waitFor({ timeout: 20000 });
    await shot(page, 'stripe-succeeded');
    await page.getByTestId('payment-read').click();
    await page.waitForURL(`${BASE}/lire/${id}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test(`a reader pays with PayPal in euros at ${w}px`, async () => {
    const id = await bookId('Coder', 'Learning to Code on a Phone');
    const email = unique(`paypal${w}`);
    await register(email, PASSWORD, 'Fatou Sy');
    const page = await newPage(browser, viewport);
    await signIn(page, email, PASSWORD);
    await page.goto(`${BASE}/livres/${id}/acheter`);
    // The euros are said before paying.
    const option = page.locator('label[for="provider-paypal"]');
    assert.match(await option.innerText(), /débité en euros : 2,29\sEUR/);
    await option.click();
    await shot(page, 'checkout-paypal');
    await page.getByTestId('checkout-submit').click();
    await page.waitForURL(new RegExp(`^${SANDBOX}/paypal/checkoutnow\\?token=`));
    assert.equal(await page.locator('.amount').innerText(), '2.29 EUR');
    await shot(page, 'paypal-page');
    await page.getByRole('button', { name: 'Payer avec PayPal' }).click();
    // Back on Coko: pending until PayPal's approval is verified and Coko has captured it.
    await page.waitForURL(new RegExp(`^${BASE}/achats/`));
    await page.locator('[data-testid="payment-status"][data-state="succeeded"]').waitFor({ timeout: 20000 });
    assert.match(await page.locator('dl').innerText(), /1\s500\sFCFA[\s\S]*PayPal/);
    assert.match(await page.getByTestId('payment-charged').innerText(), /^2,29\sEUR$/);
    await shot(page, 'paypal-succeeded');
    await page.getByTestId('payment-read').click();
    await page.waitForURL(`${BASE}/lire/${id}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
