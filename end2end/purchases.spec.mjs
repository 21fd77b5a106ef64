// A reader meets a paid book: the book page offers to buy it at its price, the checkout page
// asks how to pay (no provider is configured in this build yet: it says so, and a forged
// submission is refused on its field), and "Mes achats" is reached from the account menu.
// Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, launch, newPage, register, shot, signIn, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'achat-livre-1';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`a paid book offers to buy it, and the purchase pages answer at ${w}px`, async () => {
    // Not the demo book the admin test deletes (Les Pêcheurs de Joal).
    const id = await bookId('Kankan', 'La Route de Kankan');
    const email = unique(`acheteuse${w}`);
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
    await page.getByTestId('checkout-none').waitFor();
    await shot(page, 'checkout');

    await page.getByTestId('account-menu').locator('summary').click();
    await page.getByRole('link', { name: 'Mes achats' }).click();
    await page.waitForURL(`${BASE}/achats`);
    await page.getByText('Aucun achat pour l\'instant.').waitFor();
    await shot(page, 'purchases');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
