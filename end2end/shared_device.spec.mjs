// One phone, two readers: what the first one could read must not reach the next one from a
// cache. Awa owns a paid book (an editor gave her access); she reads it, looks at her profile,
// signs out; Binta signs in on the same browser and asks for the same part of the book, and
// for Awa's pages. Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, controlled, launch, mailedLink, newPage, register, shot, signIn, signInAdmin, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'appareil-partage-1';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

async function signOut(page) {
  await page.goto(`${BASE}/profil`);
  await page.getByTestId('account-menu').locator('summary').click();
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.getByText('Vous êtes déconnecté').waitFor();
}

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`the next reader on a shared phone gets nothing of the last one's at ${w}px`, async () => {
    const id = await bookId('Sahel', 'A Short History of the Sahel');
    const awa = unique(`awa-partage${w}`);
    const binta = unique(`binta-partage${w}`);
    await register(awa, PASSWORD, 'Awa Ndiaye');
    await register(binta, PASSWORD, 'Binta Sow');

    // Awa proves her address (access by e-mail reaches verified accounts only), then an
    // editor gives her the book.
    const page = await newPage(browser, viewport);
    await page.goto(`${BASE}${await mailedLink(awa, '/verifier-email')}`);
    await page.getByText('Votre adresse e-mail est vérifiée').waitFor();
    const editor = await newPage(browser, viewport);
    await signInAdmin(editor);
    await editor.goto(`${BASE}/admin/livres/${id}`);
    await editor.getByLabel("Adresse e-mail du lecteur").fill(awa);
    await editor.getByRole('button', { name: "Donner l'accès" }).click();
    await editor.getByText('Accès accordé.').waitFor();
    await editor.context().close();

    // Awa reads it on the phone (the service worker in charge), and opens her profile.
    await signIn(page, awa, PASSWORD);
    await controlled(page);
    await page.goto(`${BASE}/lire/${id}`);
    await page.locator('#reader[data-ready="true"]').waitFor();
    const part = new URL(await page.locator('#reader-frame').getAttribute('src'), BASE).pathname;
    assert.match(part, new RegExp(`^/lire/${id}/contenu/`));
    const first = await page.evaluate(async (u) => (await fetch(u)).status, part);
    assert.equal(first, 200, 'Awa reads her book');
    await page.goto(`${BASE}/profil`);
    assert.equal(await page.getByLabel('Nom').inputValue(), 'Awa Ndiaye');
    const kept = await page.evaluate(async () => Boolean(await caches.match('/profil')));
    assert.equal(kept, false, 'a no-store page never enters the worker\'s caches');
    await signOut(page);

    // Binta, same browser: the part is asked again of the server, which refuses her.
    await signIn(page, binta, PASSWORD);
    const second = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, body: (await r.text()).slice(0, 200) };
    }, part);
    assert.equal(second.status, 403, `the paid part was served to the next reader: ${second.body}`);
    await page.goto(`${BASE}/lire/${id}`);
    await page.getByText(/payant/).first().waitFor();
    await shot(page, 'shared-device-next-reader');
    await page.goto(`${BASE}/profil`);
    assert.equal(await page.getByLabel('Nom').inputValue(), 'Binta Sow', 'Binta sees her own profile, not Awa\'s');
    assert.deepEqual(page.errors, [], 'no script errors');
    await page.context().close();
  });
}
