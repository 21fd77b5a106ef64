// Shared helpers for the end-to-end flows: the system Chromium through playwright-core,
// screenshots at phone and desktop widths, and the mail outbox the server writes to.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const BASE = process.env.COKO_E2E_URL ?? 'http://127.0.0.1:3000';
export const OUTBOX = process.env.COKO_E2E_OUTBOX ?? 'data/outbox';
export const SHOTS = path.resolve(process.env.COKO_E2E_SHOTS ?? 'end2end/screenshots');
export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 860 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/// A fresh browser context (its own cookies) at the given viewport, collecting page errors.
export async function newPage(browser, viewport = PHONE, extra = {}) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', ...extra });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  // Refused forms answer 4xx on purpose; only script errors count.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.errors.push(m.text()); });
  return page;
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const w = page.viewportSize().width;
  await page.screenshot({ path: path.join(SHOTS, `${name}-${w}.png`), fullPage: true });
}

/// Waits for a mail to `to` whose body links to `linkPath`; returns the link's path and query.
export async function mailedLink(to, linkPath) {
  for (let i = 0; i < 50; i++) {
    const files = fs.existsSync(OUTBOX) ? fs.readdirSync(OUTBOX).sort().reverse() : [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(OUTBOX, f), 'utf8');
      if (!text.includes(`To: ${to}`)) continue;
      const m = text.match(new RegExp(`https?://[^\\s]+(${linkPath.replace(/[/]/g, '\\/')}\\?token=[A-Za-z0-9_-]+)`));
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} linking to ${linkPath}`);
}

/// Waits until the server answers.
export async function waitForServer() {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${BASE}/health`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server at ${BASE} did not come up`);
}

export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}@example.sn`;
}
