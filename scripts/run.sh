#!/usr/bin/env bash
# Runs Coko on http://127.0.0.1:3000 with the embedded defaults (SQLite under data/, mail to
# data/outbox/). On first start it offers demo accounts; pass --no-demo to skip them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

cargo leptos build --release
bash scripts/build-reader.sh
node scripts/precompress.mjs target/site
export LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=coko LEPTOS_HASH_FILES=true
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"

first_start=0
case "${DATABASE_URL:-sqlite://data/coko.db}" in
  sqlite://data/coko.db) [ -f data/coko.db ] || first_start=1 ;;
esac
if [ "$first_start" = 1 ] && [ "${1:-}" != "--no-demo" ]; then
  echo "First start: creating demo accounts (run with --no-demo to skip)."
  target/release/coko seed --demo
fi
echo "Coko: http://$LEPTOS_SITE_ADDR"
exec target/release/coko serve
