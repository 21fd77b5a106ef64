#!/usr/bin/env bash
# Builds the reader's WASM (crate reader-web) on its own, so only /lire/… pages load it:
# size profile, wasm-bindgen, wasm-opt, then a folder named by content hash under
# target/site/reader/ (cached forever) and target/site/reader/current naming it for the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
site="${LEPTOS_SITE_ROOT:-target/site}"
out=target/reader-build

cargo build -p reader-web --lib --target wasm32-unknown-unknown --profile wasm-release
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" target/wasm32-unknown-unknown/wasm-release/coko_reader.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$out/coko_reader_bg.wasm" -o "$out/coko_reader_bg.opt.wasm"
mv "$out/coko_reader_bg.opt.wasm" "$out/coko_reader_bg.wasm"
printf "import init from './coko_reader.js';\ninit();\n" > "$out/boot.js"

# The PDF reader: the same crate with the PDF engine, built for speed (opt-level 3, SIMD), loaded
# only when a PDF is opened.
RUSTFLAGS="-C target-feature=+simd128" cargo build -p reader-web --lib --features pdf --target wasm32-unknown-unknown --profile wasm-pdf
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name coko_reader_pdf target/wasm32-unknown-unknown/wasm-pdf/coko_reader.wasm
wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$out/coko_reader_pdf_bg.wasm" -o "$out/coko_reader_pdf_bg.opt.wasm"
mv "$out/coko_reader_pdf_bg.opt.wasm" "$out/coko_reader_pdf_bg.wasm"
printf "import init from './coko_reader_pdf.js';\ninit();\n" > "$out/boot-pdf.js"
# The dyslexia-friendly font (SIL OFL), from npm.
mkdir -p "$out/fonts"
cp node_modules/@fontsource/opendyslexic/files/opendyslexic-latin-{400,700}-{normal,italic}.woff2 "$out/fonts/"
cp node_modules/@fontsource/opendyslexic/LICENSE "$out/fonts/OFL.txt"

hash=$(cat "$out"/coko_reader*.js "$out"/coko_reader*_bg.wasm "$out"/boot*.js "$out"/fonts/* | sha256sum | cut -c1-16)
mkdir -p "$site/reader"
# Keep the previous build too: pages rendered before a deploy still find their reader.
find "$site/reader" -mindepth 1 -maxdepth 1 -type d ! -name "$hash" -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
rm -rf "$site/reader/$hash" && cp -r "$out" "$site/reader/$hash"
echo "$hash" > "$site/reader/current"
node -e '
const fs = require("fs"), z = require("zlib"), dir = process.argv[1];
const br = (f) => z.brotliCompressSync(fs.readFileSync(`${dir}/${f}`), { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const raw = (f) => fs.statSync(`${dir}/${f}`).size;
const kb = (n) => (n / 1024).toFixed(1);
for (const [what, files, when] of [
  ["reader chunk", ["coko_reader_bg.wasm", "coko_reader.js", "boot.js"], "loaded on /lire/ for EPUBs only"],
  ["PDF reader chunk", ["coko_reader_pdf_bg.wasm", "coko_reader_pdf.js", "boot-pdf.js"], "loaded on /lire/ for PDFs only"],
]) {
  const total = files.reduce((s, f) => s + br(f), 0);
  console.log(`${what} ${process.argv[2]}: ` + files.map((f) => `${f} ${kb(raw(f))} KB (${kb(br(f))} KB br)`).join(", ") + `; total ${kb(total)} KB br, ${when}`);
}
' "$out" "$hash"
