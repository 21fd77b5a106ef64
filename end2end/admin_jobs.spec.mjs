// An admin looks at the background jobs: those that failed for good (none on a healthy
// install), how many wait or run, and the tab that leads there from the other admin pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, launch, newPage, shot, waitForServer, signInAdmin } from './lib.mjs';

let browser;
before(async () => { await waitForServer(); browser = await launch(); });
after(async () => { await browser?.close(); });

for (const [size, viewport] of [['360px', PHONE], ['1280px', DESKTOP]]) {
  test(`an admin opens the failed jobs from the admin tabs (${size})`, async () => {
    const page = await newPage(browser, viewport);
    await signInAdmin(page);
    await page.goto(new URL('/admin/journal', page.url()).href);
    const tabs = page.getByRole('navigation', { name: 'Gestion du catalogue' });
    await tabs.getByRole('link', { name: 'Tâches en échec' }).click();
    await page.getByRole('heading', { name: 'Tâches en échec', level: 1 }).waitFor();
    assert.equal(await tabs.getByRole('link', { name: 'Tâches en échec' }).getAttribute('aria-current'), 'page');
    // The count is in French's plural forms ("0 tâche", "3 tâches").
    assert.match(await page.getByTestId('jobs-waiting').innerText(), /^\d+ tâches? en attente ou en cours$/);
    const dead = await page.getByTestId('dead-job').count();
    if (dead === 0) {
      await page.getByText('Aucune tâche en échec.').waitFor();
    } else {
      assert.ok(await page.getByRole('button', { name: 'Relancer' }).count() === dead, 'one retry button per failed job');
    }
    await shot(page, 'admin-jobs');
    await page.close();
  });
}
