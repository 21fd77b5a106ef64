// Web Push, as a person meets it: on the preferences page a reader allows notifications (the
// browser's permission, granted) and turns them on for this phone; the subscription is stored
// and listed; push is turned on for payments; a purchase's receipt reaches the push service
// encrypted (the sandbox decrypts it with the subscription's private key), and the service
// worker shows it as a notification; the reader then removes the browser from the list.
//
// The one stand-in: this Chromium cannot reach its vendor's push service (FCM), so
// `pushManager.subscribe` hands back a subscription the push sandbox made (its endpoint and
// keys), exactly what a real browser would get from FCM. Everything after it is real: the page's
// script, Coko's REST, the encryption, the push service's checks, the service worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, launch, newPage, register, shot, signIn, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'push-essai-1';
const SANDBOX = process.env.COKO_E2E_SANDBOX ?? 'http://127.0.0.1:4010';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

/// Makes `pushManager.subscribe` return the sandbox's subscription `sub` (kept across reloads).
function standInPushService(sub) {
  const make = (json) => ({
    endpoint: json.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true },
    toJSON: () => json,
    unsubscribe: async () => { localStorage.removeItem('coko-e2e-push'); return true; },
  });
  PushManager.prototype.subscribe = async function () {
    localStorage.setItem('coko-e2e-push', JSON.stringify(sub));
    return make(sub);
  };
  PushManager.prototype.getSubscription = async function () {
    const kept = localStorage.getItem('coko-e2e-push');
    return kept ? make(JSON.parse(kept)) : null;
  };
}

async function messagesFor(id, n) {
  for (let i = 0; i < 100; i++) {
    const { messages } = await (await fetch(`${SANDBOX}/_sandbox/push/messages`)).json();
    const got = messages.filter((m) => m.subscription === id);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`fewer than ${n} push messages for ${id}`);
}

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`a reader turns on notifications for this browser and sees a receipt at ${w}px`, async () => {
    const email = unique(`push-${w}`);
    await register(email, PASSWORD, 'Mariam Touré');
    const page = await newPage(browser, viewport);
    await page.context().grantPermissions(['notifications'], { origin: BASE });
    await signIn(page, email, PASSWORD);
    await page.goto(`${BASE}/profil/notifications`);
    const section = page.getByTestId('push');
    const key = await section.getAttribute('data-key');
    assert.match(key, /^[A-Za-z0-9_-]{87}$/);
    await section.getByTestId('push-none').waitFor();

    // The push service (sandbox) makes this browser's subscription for Coko's key.
    const made = await (await fetch(`${SANDBOX}/_sandbox/push/subscriptions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ applicationServerKey: key }),
    })).json();
    const sub = { endpoint: made.endpoint, expirationTime: null, keys: made.keys };
    await page.addInitScript(standInPushService, sub);
    await page.reload();
    await page.getByRole('button', { name: 'Activer sur cet appareil' }).click();
    await page.getByTestId('push-device').first().waitFor();
    assert.match(await page.getByTestId('push-device').first().innerText(), /Chrome · Linux[\s\S]*ajouté le/);
    await page.getByRole('button', { name: 'Désactiver sur cet appareil' }).waitFor();

    // Push for payments, then a purchase.
    await page.getByLabel('Paiements et Premium — Notification push').check();
    await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
    await page.getByText('Vos choix de notifications sont enregistrés.').waitFor();
    await page.locator('#push').scrollIntoViewIfNeeded();
    await shot(page, 'push-on');
    const rain = await bookId('Lagos', 'Rain over Lagos');
    await page.goto(`${BASE}/livres/${rain}/acheter`);
    await page.getByLabel('Wave').check();
    await page.getByLabel('Numéro de téléphone').fill('+221 77 123 45 67');
    await page.getByTestId('checkout-submit').click();
    await page.waitForURL(new RegExp(`^${SANDBOX}/c/cos-`));
    await page.getByRole('button', { name: /^Payer 2\s000 F$/ }).click();
    await page.waitForURL(new RegExp(`^${BASE}/achats/`));
    await page.locator('[data-testid="payment-status"][data-state="succeeded"]').waitFor({ timeout: 20000 });

    // The push service got it encrypted to this browser's keys and decrypted it.
    const [message] = await messagesFor(made.id, 1);
    assert.equal(message.payload.title, 'Paiement confirmé : Rain over Lagos');
    assert.match(message.payload.link, /^\/achats\/[0-9a-f-]{36}$/);
    assert.equal(message.urgency, 'normal');

    // The browser hands it to the service worker, which shows it. The worker may still be
    // installing on this first visit: wait until it is active, and hand the message again if it
    // was not taken (the same tag replaces, never adds, a notification).
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    const cdp = await page.context().newCDPSession(page);
    const registrations = [];
    const versions = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
    cdp.on('ServiceWorker.workerVersionUpdated', (e) => versions.push(...e.versions));
    await cdp.send('ServiceWorker.enable');
    const active = () => {
      const reg = registrations.find((r) => r.scopeURL === `${BASE}/` && !r.isDeleted);
      return reg && versions.some((v) => v.registrationId === reg.registrationId && v.status === 'activated') ? reg : null;
    };
    for (let i = 0; i < 100 && !active(); i++) await page.waitForTimeout(100);
    const reg = active();
    assert.ok(reg, 'the service worker is active');
    let shown = [];
    for (let attempt = 0; attempt < 3 && shown.length === 0; attempt++) {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: `${BASE}/`, registrationId: reg.registrationId, data: JSON.stringify(message.payload) });
      shown = await page.evaluate(async () => {
        const r = await navigator.serviceWorker.ready;
        for (let i = 0; i < 30; i++) {
          const list = await r.getNotifications();
          if (list.length) return list.map((n) => ({ title: n.title, body: n.body, link: n.data && n.data.link }));
          await new Promise((ok) => setTimeout(ok, 100));
        }
        return [];
      });
    }
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.equal(shown[0].title, 'Paiement confirmé : Rain over Lagos');
    assert.equal(shown[0].link, message.payload.link);

    // Removed from the list (a plain form): the section says no device.
    await page.goto(`${BASE}/profil/notifications`);
    await page.getByTestId('push-device').first().getByRole('button', { name: 'Retirer' }).click();
    await page.getByText('Cet appareil ne recevra plus de notifications de Coko.').waitFor();
    await page.getByTestId('push-none').waitFor();
    await shot(page, 'push-removed');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
