// Prints the critical path of a page in bytes (HTML + CSS + JS + WASM), as sent with brotli
// and with gzip, and fails when the brotli total is over the budget.
// usage: node scripts/size-check.mjs [base-url] [path...]
// COKO_SIZE_COOKIE="id=…" measures pages as a signed-in reader sees them (the inbox, preferences).
import http from 'node:http';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const paths = process.argv.length > 3 ? process.argv.slice(3) : ['/'];
const BUDGET_BR = 150 * 1024;

function get(url, encoding) {
  return new Promise((resolve, reject) => {
    const headers = { 'accept-encoding': encoding };
    if (process.env.COKO_SIZE_COOKIE) headers.cookie = process.env.COKO_SIZE_COOKIE;
    http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, encoding: res.headers['content-encoding'] ?? 'identity', body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

async function identityText(url) {
  return (await get(url, 'identity')).body.toString('utf8');
}

let failed = false;
for (const p of paths) {
  const html = await identityText(base + p);
  const assets = new Set();
  for (const m of html.matchAll(/(?:href|src)="(\/pkg\/[^"]+\.(?:css|js|wasm))"/g)) assets.add(m[1]);
  const rows = [[`${p} (HTML)`, base + p], ...[...assets].map((a) => [a, base + a])];
  const totals = { br: 0, gzip: 0, identity: 0 };
  console.log(`\nCritical path of ${p}`);
  console.log('asset'.padEnd(52) + 'raw'.padStart(10) + 'gzip'.padStart(10) + 'brotli'.padStart(10));
  for (const [name, url] of rows) {
    const sizes = {};
    for (const enc of ['identity', 'gzip', 'br']) {
      const r = await get(url, enc);
      if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
      sizes[enc] = r.body.length;
      totals[enc] += r.body.length;
    }
    console.log(name.slice(0, 50).padEnd(52) + String(sizes.identity).padStart(10) + String(sizes.gzip).padStart(10) + String(sizes.br).padStart(10));
  }
  console.log('TOTAL'.padEnd(52) + String(totals.identity).padStart(10) + String(totals.gzip).padStart(10) + String(totals.br).padStart(10));
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`size: ${p} critical path ${kb(totals.br)} KB brotli, ${kb(totals.gzip)} KB gzip (budget ${kb(BUDGET_BR)} KB brotli)`);
  if (totals.br > BUDGET_BR) {
    console.log(`size: OVER BUDGET on ${p}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
