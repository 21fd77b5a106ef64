// Writes .br (quality 11) and .gz (level 9) next to each built asset, so the server sends the
// smallest encoding without compressing on every request.
// usage: node scripts/precompress.mjs target/site
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = process.argv[2] ?? 'target/site';
const exts = new Set(['.js', '.wasm', '.css', '.svg', '.txt', '.json', '.webmanifest']);
let before = 0, after = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) { walk(p); continue; }
    if (!exts.has(path.extname(p))) continue;
    const data = fs.readFileSync(p);
    const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
    const gz = zlib.gzipSync(data, { level: 9 });
    fs.writeFileSync(`${p}.br`, br);
    fs.writeFileSync(`${p}.gz`, gz);
    before += data.length; after += br.length;
  }
}
walk(root);
console.log(`precompressed ${root}: ${before} bytes -> ${after} bytes brotli`);
