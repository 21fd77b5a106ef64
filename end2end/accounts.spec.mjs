// The accounts flow as a person clicks through it: register, verify the e-mail through the
// mailed link, sign out, sign in, edit the profile (switching to English), reset the password,
// and an admin changing a role. Screenshots at 360 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, launch, mailedLink, newPage, shot, unique, waitForServer } from './lib.mjs';

const ADMIN = { email: process.env.COKO_E2E_ADMIN_EMAIL ?? 'admin@coko.test', password: process.env.COKO_E2E_ADMIN_PASSWORD ?? 'admin-e2e-secret' };
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page, email, password) {
  await page.goto(`${BASE}/`);
  await page.getByRole('link', { name: /Se connecter|Sign in/ }).first().click();
  await page.getByLabel(/Adresse e-mail|E-mail address/).fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: /^(Se connecter|Sign in)$/ }).click();
}

async function signOut(page) {
  await page.getByTestId('account-menu').locator('summary').click();
  await page.getByRole('button', { name: /Se déconnecter|Sign out/ }).click();
}

for (const viewport of [PHONE, DESKTOP]) {
  const w = viewport.width;
  test(`reader account lifecycle at ${w}px`, async () => {
    const page = await newPage(browser, viewport);
    const email = unique(`awa${w}`);
    await page.goto(`${BASE}/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await shot(page, 'home');

    // Register: first with mistakes, which the form names.
    await page.getByRole('link', { name: 'Commencer gratuitement' }).click();
    await page.getByLabel('Adresse e-mail').fill('pas-une-adresse');
    await page.locator('#password').fill('court');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByRole('alert').waitFor();
    const alert = await page.getByRole('alert').innerText();
    assert.match(alert, /Nom : ce champ est obligatoire/);
    assert.match(alert, /Mot de passe : 8 caractères minimum/);
    assert.match(alert, /Pays : ce champ est obligatoire/);
    assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), 'pas-une-adresse', 'typed values kept');
    await shot(page, 'register-errors');

    await page.getByLabel('Nom').fill('Awa Diop');
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.locator('#password').fill('motdepasse-1');
    // The password island has hydrated: the toggle shows what was typed.
    const toggle = page.getByTestId('password-toggle');
    await toggle.waitFor({ state: 'visible' });
    await toggle.click();
    assert.equal(await page.locator('#password').getAttribute('type'), 'text');
    await toggle.click();
    await page.getByLabel('Pays').selectOption('SN');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    // Registering does not sign in (the answer is the same for an address that has an
    // account): the sign-in page says a mail is on its way.
    await page.waitForURL(`${BASE}/connexion`);
    await page.getByText('Un e-mail vient de partir vers cette adresse').waitFor();
    await shot(page, 'register-sent');
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.locator('#password').fill('motdepasse-1');
    await page.getByRole('button', { name: /^Se connecter$/ }).click();
    await page.getByText('Vous êtes connecté.').waitFor();
    await page.goto(`${BASE}/profil`);
    await page.getByText('Adresse e-mail non vérifiée.').waitFor();
    await shot(page, 'profile-new');

    // Verify through the mailed link.
    const link = await mailedLink(email, '/verifier-email');
    await page.goto(`${BASE}${link}`);
    await page.getByText('Votre adresse e-mail est vérifiée').waitFor();
    await shot(page, 'verify-ok');
    await page.goto(`${BASE}${link}`);
    await page.getByText("Ce lien n'est plus valable").waitFor();

    // Sign out, sign in.
    await signOut(page);
    await page.getByText('Vous êtes déconnecté').waitFor();
    await signIn(page, email, 'mauvais-mdp');
    await page.getByText('Adresse e-mail ou mot de passe incorrect.').waitFor();
    await shot(page, 'login-error');
    await signIn(page, email, 'motdepasse-1');
    await page.getByText('Vous êtes connecté.').waitFor();

    // Edit the profile: switching to English changes the whole interface.
    await page.getByTestId('account-menu').locator('summary').click();
    await page.getByRole('link', { name: 'Mon profil' }).click();
    await page.getByTestId('email-verified').waitFor();
    await page.getByLabel('Nom').fill('Awa D.');
    await page.getByLabel("Langue de l'interface").selectOption('en');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Profile saved.').waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByLabel('Name').inputValue(), 'Awa D.');
    // What Coko sends, and how, has its own page now.
    assert.equal(await page.getByTestId('notification-prefs-link').innerText(), 'Choose what Coko sends you');
    await page.getByRole('heading', { name: 'My profile' }).waitFor();
    await shot(page, 'profile-english');

    // Forgot the password: reset it through the mailed link.
    await signOut(page);
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('E-mail address').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('If an account exists for this address').waitFor();
    await shot(page, 'forgot-sent');
    const reset = await mailedLink(email, '/mot-de-passe/nouveau');
    await page.goto(`${BASE}${reset}`);
    await page.locator('#password').fill('nouveau-secret-2');
    await shot(page, 'reset');
    await page.getByRole('button', { name: 'Save the password' }).click();
    await page.getByText('Password saved. You can sign in.').waitFor();
    await signIn(page, email, 'nouveau-secret-2');
    await page.getByText('You are signed in.').waitFor();
    assert.deepEqual(page.errors, [], 'no script errors');
    await page.context().close();
  });

  test(`admin changes a role at ${w}px`, async () => {
    const reader = await newPage(browser, viewport);
    const email = unique(`lamine${w}`);
    await reader.goto(`${BASE}/inscription`);
    await reader.getByLabel('Nom').fill('Lamine Sow');
    await reader.getByLabel('Adresse e-mail').fill(email);
    await reader.locator('#password').fill('motdepasse-1');
    await reader.getByLabel('Pays').selectOption('ML');
    await reader.getByRole('button', { name: 'Créer mon compte' }).click();
    await reader.waitForURL(`${BASE}/connexion`);
    await signIn(reader, email, 'motdepasse-1');
    await reader.getByText('Vous êtes connecté.').waitFor();
    await reader.goto(`${BASE}/profil`);
    assert.equal(await reader.getByTestId('profile-role').innerText(), 'Lecteur');
    await reader.goto(`${BASE}/admin/utilisateurs`);
    await reader.getByText("Vous n'avez pas accès à cette page.").waitFor();

    const admin = await newPage(browser, viewport);
    await signIn(admin, ADMIN.email, ADMIN.password);
    await admin.getByTestId('account-menu').locator('summary').click();
    await admin.getByRole('link', { name: 'Utilisateurs' }).click();
    await admin.getByLabel('Rechercher par nom ou e-mail').fill(email);
    await admin.getByRole('button', { name: 'Rechercher' }).click();
    const row = admin.getByTestId('user-row');
    assert.equal(await row.count(), 1);
    await row.getByLabel('Rôle — Lamine Sow').selectOption('editor');
    await shot(admin, 'admin-users');
    await row.getByRole('button', { name: 'Changer' }).click();
    await admin.getByText('Rôle modifié.').waitFor();
    assert.equal(await admin.getByTestId('user-row').getByRole('combobox').inputValue(), 'editor');

    await reader.goto(`${BASE}/profil`);
    assert.equal(await reader.getByTestId('profile-role').innerText(), 'Éditeur');
    await reader.context().close();
    await admin.context().close();
  });

  test(`language and theme switchers at ${w}px`, async () => {
    const page = await newPage(browser, viewport);
    await page.goto(`${BASE}/connexion`);
    await page.getByTestId('settings-menu').locator('summary').click();
    await page.getByRole('button', { name: 'العربية' }).click();
    await page.waitForURL(`${BASE}/connexion`);
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ar');
    await page.getByRole('heading', { name: 'تسجيل الدخول' }).waitFor();
    await shot(page, 'login-arabic');
    await page.getByTestId('settings-menu').locator('summary').click();
    await page.getByRole('button', { name: 'داكن' }).click();
    assert.equal(await page.locator('html').getAttribute('class'), 'dark');
    await page.getByTestId('settings-menu').locator('summary').click();
    await page.getByRole('button', { name: 'Français' }).click();
    assert.equal(await page.locator('html').getAttribute('dir'), 'ltr');
    await shot(page, 'login-dark');
    await page.goto(`${BASE}/page-qui-nexiste-pas`);
    await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
    await shot(page, 'not-found');
    await page.context().close();
  });
}

test('keyboard: the skip link leads to the content', async () => {
  const page = await newPage(browser, DESKTOP);
  await page.goto(`${BASE}/`);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  assert.equal(focused, 'Aller au contenu');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  await page.context().close();
});

test('release pages allow no development socket in their CSP', async () => {
  for (const path of ['/', '/connexion', '/catalogue']) {
    const csp = (await fetch(`${BASE}${path}`)).headers.get('content-security-policy');
    assert.match(csp, /connect-src 'self';/, `${path}: ${csp}`);
    assert.doesNotMatch(csp, /ws:/, path);
  }
});

test('pages work with JavaScript disabled', async () => {
  const page = await newPage(browser, PHONE, { javaScriptEnabled: false });
  const email = unique('nojs');
  await page.goto(`${BASE}/inscription`);
  await page.getByLabel('Nom').fill('Sans JS');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.locator('#password').fill('motdepasse-1');
  await page.getByLabel('Pays').selectOption('CI');
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await page.waitForURL(`${BASE}/connexion`);
  await page.getByText('Un e-mail vient de partir vers cette adresse').waitFor();
  assert.equal(await page.getByTestId('password-toggle').first().isVisible(), false, 'the island adds, it does not gate');
  await page.context().close();
});
