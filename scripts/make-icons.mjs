// Draws the PWA icons (192, 512 and a maskable 512 px PNG) from the logo with the system
// Chromium. Run once when the logo changes: node scripts/make-icons.mjs
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const logo = readFileSync(new URL('../public/favicon.svg', import.meta.url), 'utf8');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await browser.newPage();
// `safe` is the share of the square the logo may use (maskable icons keep it in the inner 80 %).
for (const [file, px, safe, radius] of [['icon-192.png', 192, 0.7, 0.22], ['icon-512.png', 512, 0.7, 0.22], ['icon-maskable-512.png', 512, 0.56, 0]]) {
  await page.setViewportSize({ width: px, height: px });
  const inner = Math.round(px * safe);
  await page.setContent(`<body style="margin:0"><div style="width:${px}px;height:${px}px;display:grid;place-items:center;background:#f0fdfa;border-radius:${radius * 100}%">
    <div style="width:${inner}px;height:${inner}px">${logo.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></div></body>`);
  await page.screenshot({ path: new URL(`../public/icons/${file}`, import.meta.url).pathname, omitBackground: radius > 0 });
  console.log(`public/icons/${file}`);
}
await browser.close();
