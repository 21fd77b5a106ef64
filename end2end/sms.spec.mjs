// Texts, as a person meets them: on the preferences page a reader types a number without its
// country code (refused on the field, what was typed kept), then with it; reads the six-digit
// code on the phone (the Africa's Talking sandbox's page of texts), types a wrong one (refused),
// then the right one; the number is proved; the reader turns on texts for payments, an admin's
// test message about payments reaches the phone, and the reader removes the number. An admin
// reads every message's preview with its SMS cost. Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, launch, newPage, register, shot, signIn, signInAdmin, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'sms-essai-1';
const SANDBOX = process.env.COKO_E2E_SANDBOX ?? 'http://127.0.0.1:4010';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

/// The texts the sandbox delivered to `to` (E.164), once there are `n`.
async function textsTo(to, n) {
  for (let i = 0; i < 100; i++) {
    const { messages } = await (await fetch(`${SANDBOX}/_sandbox/africastalking/messages`)).json();
    const got = messages.filter((m) => m.to === to);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`fewer than ${n} texts to ${to}`);
}

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`a reader proves a phone number with a texted code and gets texts at ${w}px`, async () => {
    const email = unique(`sms-${w}`);
    // A number of its own per run and viewport, so that the sandbox's list tells them apart.
    const local = String(Date.now() % 1000000).padStart(6, '0');
    const typed = `+221 76 ${local.slice(0, 2)} ${local.slice(2, 4)} ${local.slice(4, 6)}`.replace(/(\d{2})$/, (d) => (d === '98' || d === '99' ? '42' : d));
    const e164 = typed.replaceAll(' ', '');
    await register(email, PASSWORD, 'Awa Ndiaye');
    const page = await newPage(browser, viewport);
    await signIn(page, email, PASSWORD);
    await page.goto(`${BASE}/profil/notifications`);
    const section = page.getByTestId('sms-phone');
    await section.getByRole('heading', { name: 'Numéro pour les SMS' }).waitFor();

    // Without the country code: refused on the field, the number kept.
    await section.getByLabel('Numéro de mobile').fill('77 123 45 67');
    await section.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.locator('#sms_phone[aria-invalid="true"]').waitFor();
    assert.equal(await page.locator('#sms_phone').inputValue(), '77 123 45 67');
    assert.match(await page.locator('#sms_phone-error').innerText(), /indicatif|\+/);
    await shot(page, 'sms-number-error');

    await page.getByLabel('Numéro de mobile').fill(typed);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.getByText('Un code vous a été envoyé par SMS.').waitFor();
    assert.match(await page.getByTestId('sms-phone-pending').innerText(), new RegExp(`${e164.replace('+', '\\+')}[\\s\\S]*10 minutes`));
    await shot(page, 'sms-code');

    // The code, read on the phone (the sandbox's page of texts, as a person would).
    const phone = await newPage(browser, viewport);
    await phone.goto(`${SANDBOX}/_sandbox/africastalking/phone`);
    const text = phone.locator('li', { hasText: e164 }).first();
    await text.waitFor();
    const code = (await text.locator('.text').innerText()).match(/\b(\d{6})\b/)[1];
    await shot(phone, 'sms-phone');
    await phone.context().close();
    assert.equal((await textsTo(e164, 1)).length, 1);

    // A wrong code is refused on its field; the right one proves the number.
    await page.getByLabel('Code reçu par SMS (6 chiffres)').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Valider le numéro' }).click();
    await page.locator('#sms_code[aria-invalid="true"]').waitFor();
    await shot(page, 'sms-code-error');
    await page.getByLabel('Code reçu par SMS (6 chiffres)').fill(code);
    await page.getByRole('button', { name: 'Valider le numéro' }).click();
    await page.getByText('Votre numéro est vérifié').first().waitFor();
    assert.match(await page.getByTestId('sms-phone-verified').innerText(), new RegExp(e164.replace('+', '\\+')));

    // Texts for payments; a purchase's receipt reaches the phone.
    const cell = page.getByLabel('Paiements et Premium — Par SMS');
    await cell.check();
    await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await page.getByText('Vos choix de notifications sont enregistrés.').waitFor();
    assert.equal(await page.getByLabel('Paiements et Premium — Par SMS').isChecked(), true);
    await shot(page, 'sms-verified');
    const rain = await bookId('Lagos', 'Rain over Lagos');
    await page.goto(`${BASE}/livres/${rain}/acheter`);
    await page.getByLabel('Wave').check();
    await page.getByLabel('Numéro de téléphone').fill('+221 77 123 45 67');
    await page.getByTestId('checkout-submit').click();
    await page.waitForURL(new RegExp(`^${SANDBOX}/c/cos-`));
    await page.getByRole('button', { name: /^Payer 2\s000 F$/ }).click();
    await page.waitForURL(new RegExp(`^${BASE}/achats/`));
    await page.locator('[data-testid="payment-status"][data-state="succeeded"]').waitFor({ timeout: 20000 });
    const [, receipt] = await textsTo(e164, 2);
    assert.match(receipt.message, /^Coko: Paiement confirmé : Rain over Lagos\./);
    assert.equal(receipt.encoding, 'GSM-7');
    await page.goto(`${BASE}/profil/notifications`);

    // Removed: the section asks for a number again.
    await page.getByRole('button', { name: 'Ne plus recevoir de SMS' }).click();
    await page.getByText('Votre numéro a été retiré').waitFor();
    await page.getByTestId('sms-phone-form').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test(`an admin reads each message's text and SMS cost at ${w}px`, async () => {
    const page = await newPage(browser, viewport);
    await signInAdmin(page);
    await page.goto(`${BASE}/admin/notifications`);
    const receipt = page.locator('[data-testid="preview"][data-kind="payment_receipt"]').first();
    await receipt.waitFor();
    assert.match(await receipt.innerText(), /GSM-7, 1 partie/);
    await receipt.scrollIntoViewIfNeeded();
    await shot(page, 'admin-previews');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
