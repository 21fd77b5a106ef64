// Reviews, as people meet them: a visitor is asked to sign in; a new reader rates a book, is told
// the rating is missing, then posts a review (Markdown, typed HTML shown as typed, a spoiler
// warning) that waits for the moderators; the admin — a moderator too — finds it on the
// moderation page and publishes it; the average appears on the book's page and its catalogue
// card; the admin reviews the book too, the reader finds that review helpful and reports it, the
// admin keeps it from the moderation page's reports, then
// hides the reader's review with a reason and the reader's bell says why. Screenshots at 360 px
// and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, bookId, launch, newPage, register, shot, signIn, signInAdmin, unique, waitForServer } from './lib.mjs';

const PASSWORD = 'reviews-e2e-1';
let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

/// Opens `url` until `what` (a locator on the page) shows: a book's page is served from the
/// service worker's copy first (stale-while-revalidate), the next load has the fresh one.
async function until(page, url, what) {
  await page.goto(url);
  for (let i = 0; i < 40; i++) {
    // (A reload: going to the same address with a #fragment would not load the page again.)
    if (i > 0) await page.reload();
    if ((await what(page).count()) > 0) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`${url}: never showed what was expected`);
}

/// Both widths of the page as it is now.
async function shots(page, name) {
  await shot(page, name);
  await page.setViewportSize(DESKTOP);
  await shot(page, name);
  await page.setViewportSize(PHONE);
}

test('a reader reviews a book, a moderator publishes then hides it, and the average follows', async () => {
  const id = await bookId('Baobab', 'Le Baobab de Ndiaye');
  const book = `${BASE}/livres/${id}`;

  // A visitor reads the reviews, and is asked to sign in to write one.
  const visitor = await newPage(browser, PHONE);
  await visitor.goto(`${book}#avis`);
  await visitor.getByRole('heading', { name: 'Avis des lecteurs' }).waitFor();
  await visitor.getByRole('link', { name: 'Connectez-vous pour noter ce livre et donner votre avis.' }).waitFor();
  await visitor.context().close();

  const email = unique('reviewer');
  await register(email, PASSWORD, 'Ndèye Fall');
  const page = await newPage(browser, PHONE);
  await signIn(page, email, PASSWORD);
  await page.goto(`${book}#avis`);
  await page.getByText('Pas encore de note. Soyez le premier à donner votre avis.').waitFor();

  // No rating chosen: the form says which field, and keeps what was typed.
  await page.getByLabel('Titre (facultatif)').fill('Un arbre, trois générations');
  await page.getByRole('button', { name: 'Publier mon avis' }).click();
  await page.getByRole('link', { name: /Votre note/ }).waitFor();
  assert.equal(await page.getByLabel('Titre (facultatif)').inputValue(), 'Un arbre, trois générations');
  await shots(page, 'review-missing-rating');

  await page.getByLabel('4 étoiles').check();
  await page.getByLabel('Votre avis (facultatif)').fill('Un **très beau** roman.\n\n> Son ombre\n\n<script>alert("x")</script> La fin surprend.');
  await page.getByLabel("Mon avis révèle l'intrigue (le texte sera masqué jusqu'au clic)").check();
  await page.getByRole('button', { name: 'Publier mon avis' }).click();
  await page.getByText('Votre avis est enregistré : il sera publié après relecture par la modération.').waitFor();
  const mine = page.getByTestId('my-review');
  await mine.getByText('En attente de relecture par la modération').waitFor();
  // Behind its spoiler warning; the typed script is shown as words, never run.
  await mine.getByText("Cet avis révèle l'intrigue : l'afficher").click();
  await mine.locator('strong', { hasText: 'très beau' }).waitFor();
  await mine.getByText('<script>alert("x")</script> La fin surprend.').waitFor();
  assert.equal(await page.locator('.review-text script').count(), 0);
  await shots(page, 'review-held');

  // The admin moderates: the held review, why it was held, published.
  const admin = await newPage(browser, DESKTOP);
  await signInAdmin(admin);
  await admin.getByTestId('account-menu').locator('summary').click();
  await admin.getByRole('link', { name: 'Modération' }).click();
  await admin.waitForURL(/\/moderation$/);
  const held = admin.getByTestId('held-review').filter({ hasText: 'Ndèye Fall' });
  await held.getByText('compte récent').waitFor();
  await admin.setViewportSize(PHONE);
  await shots(admin, 'moderation-queue');
  await admin.setViewportSize(DESKTOP);
  await held.getByRole('button', { name: 'Publier' }).click();
  await admin.getByText("Décision enregistrée ; l'auteur de l'avis est prévenu.").waitFor();

  // The average, on the book's page and on its card.
  await until(page, book, (p) => p.getByTestId('book-rating').filter({ hasText: '4,0 sur 5 (1 avis)' }));
  await until(page, `${BASE}/catalogue?tri=mieux-notes`, (p) => p.getByTestId('card-rating'));
  const card = page.getByTestId('book-card').filter({ hasText: 'Le Baobab de Ndiaye' });
  assert.match(await card.getByTestId('card-rating').innerText(), /4,0 \(1\)/);
  assert.match(await page.getByTestId('book-card').first().innerText(), /Le Baobab de Ndiaye/, 'best rated first');

  // The admin reviews it too (staff are not held); the reader finds that review helpful.
  await admin.goto(`${book}#avis`);
  await admin.getByLabel('2 étoiles').check();
  await admin.getByLabel('Votre avis (facultatif)').fill('Trop long à mon goût.');
  await admin.getByRole('button', { name: 'Publier mon avis' }).click();
  await admin.getByText('Votre avis est publié.').waitFor();
  await until(page, `${book}#avis`, (p) => p.getByTestId('rating-summary').getByText('3,0 sur 5 (2 avis)'));
  const adminReview = page.getByTestId('review-list').getByTestId('review').filter({ hasText: 'Trop long à mon goût.' });
  await adminReview.getByRole('button', { name: 'Utile' }).click();
  await page.getByTestId('review-list').getByText('1 lecteur a trouvé cet avis utile').waitFor();
  assert.equal(await adminReview.getByRole('button', { name: 'Ne plus trouver utile' }).getAttribute('aria-pressed'), 'true');
  await page.locator('#avis').scrollIntoViewIfNeeded();
  await shots(page, 'review-published');

  // The reader reports the admin's review; the admin finds the report on the moderation page
  // (reason counted, the note quoted) and keeps the review.
  await adminReview.getByText('Signaler', { exact: true }).click();
  await adminReview.getByLabel('Pourquoi le signaler ?').selectOption('off_topic');
  await adminReview.getByLabel('Précisez (facultatif)').fill('Ne parle pas du livre');
  await adminReview.getByRole('button', { name: 'Envoyer le signalement' }).click();
  await page.getByText('Merci : la modération va examiner ce signalement.').waitFor();
  await admin.goto(`${BASE}/moderation`);
  const flagged = admin.getByTestId('flagged-review').filter({ hasText: 'Trop long à mon goût.' });
  await flagged.getByText('Hors sujet × 1').waitFor();
  await flagged.getByText('Ne parle pas du livre').waitFor();
  await admin.setViewportSize(PHONE);
  await shots(admin, 'moderation-report');
  await admin.setViewportSize(DESKTOP);
  await flagged.getByRole('button', { name: "Garder l'avis" }).click();
  await admin.getByText('Signalement traité.').waitFor();
  await admin.getByText('Aucun signalement en attente.').waitFor();
  // A word to watch: reviews that use it will be reported here by Coko itself.
  await admin.getByLabel('Mot ou expression').fill('Arnaque');
  await admin.getByRole('button', { name: 'Surveiller' }).click();
  await admin.getByText('Liste des mots surveillés enregistrée.').waitFor();
  await admin.getByTestId('watched-word').filter({ hasText: 'arnaque' }).waitFor();

  // The admin hides the reader's review with a reason; the reader's bell says why.
  await until(admin, `${book}#avis`, (p) => p.getByTestId('review-list').getByText('Ndèye Fall'));
  const theirs = admin.getByTestId('review-list').getByTestId('review').filter({ hasText: 'Ndèye Fall' });
  await theirs.getByText('Modérer').click();
  await theirs.getByLabel("Raison (envoyée à l'auteur)").fill('Révèle la fin sans prévenir assez tôt');
  await theirs.getByRole('button', { name: 'Masquer' }).click();
  await admin.getByText("Décision enregistrée ; l'auteur de l'avis est prévenu.").waitFor();
  await admin.context().close();
  let found = false;
  for (let i = 0; i < 60 && !found; i++) {
    await page.goto(`${BASE}/notifications`);
    found = (await page.getByText('Votre avis sur « Le Baobab de Ndiaye » a été masqué').count()) > 0;
    if (!found) await page.waitForTimeout(250);
  }
  assert.ok(found, 'the author is told');
  await page.getByText('Raison donnée par la modération : Révèle la fin sans prévenir assez tôt').first().waitFor();
  await shots(page, 'review-hidden-notice');
  await until(page, `${book}#mon-avis`, (p) => p.getByTestId('rating-summary').getByText('2,0 sur 5 (1 avis)'));
  await page.getByTestId('my-review').getByText('Masqué par la modération. Raison : Révèle la fin sans prévenir assez tôt').waitFor();

  // The public moderation log: what was decided and why, about which book — nobody's name.
  await page.getByRole('link', { name: 'Journal public de modération' }).click();
  await page.waitForURL(/\/moderation\/journal$/);
  const line = page.getByTestId('modlog-entry').filter({ hasText: 'Révèle la fin sans prévenir assez tôt' }).first();
  await line.getByText('Avis masqué').waitFor();
  await line.getByRole('link', { name: 'Le Baobab de Ndiaye' }).waitFor();
  assert.equal(await page.getByText('Admin E2E').count(), 0, 'no moderator named');
  await shots(page, 'modlog');
  await page.context().close();
});
