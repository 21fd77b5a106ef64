#!/usr/bin/env bash
# Runs every test: unit, store contract (SQLite and PostgreSQL), HTTP, SMTP, then builds the
# release, checks page weight, and runs the end-to-end flows in Chromium. Ends with one line:
# "summary: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || { echo "summary: 0 passed, 1 failed"; exit 1; }
# Dependencies are built once per machine, not once per clone: a clone without a target
# directory of its own shares ~/.cache/coko/target (linked as ./target for the paths below;
# cargo rebuilds whatever changed). COKO_OWN_TARGET=1 keeps a clone's own.
shared_target="$HOME/.cache/coko/target"
if [ -z "${COKO_OWN_TARGET:-}" ] && { [ ! -e target ] || [ "$(readlink target)" = "$shared_target" ]; }; then
  mkdir -p "$shared_target" && ln -sfn "$shared_target" target && export CARGO_TARGET_DIR="$shared_target"
fi
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export COKO_REQUIRE_SMTP_TEST=1
# A full disk shows up as a linker crash ("Bus error"): say how much room there is up front.
free_kb=$(df -Pk . | awk 'NR==2 {print $4}')
echo "disk: $((free_kb / 1024 / 1024)) GiB free here (a clean build and its tests need about 14)"

logs=$(mktemp -d)
passed=0
failed=0
stage_failed=0
step() { printf '\n\033[1;35m== %s ==\033[0m\n' "$*"; }
count_cargo() {
  local p f
  p=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed;' "$1" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}

step "Format and lints (rustfmt, clippy -D warnings)"
if cargo fmt --all -- --check > "$logs/fmt.txt" 2>&1; then passed=$((passed + 1)); else
  head -40 "$logs/fmt.txt"; echo "rustfmt: run \`cargo fmt --all\`"; failed=$((failed + 1)); stage_failed=1
fi
if cargo clippy --workspace --all-targets -- -D warnings 2>&1 | tail -40 > "$logs/clippy.txt" && grep -q "Finished" "$logs/clippy.txt"; then passed=$((passed + 1)); else
  cat "$logs/clippy.txt"; failed=$((failed + 1)); stage_failed=1
fi

step "Rust tests (unit, store contract on SQLite + PostgreSQL, HTTP, SMTP)"
if ! cargo test --workspace --no-fail-fast 2>&1 | tee "$logs/cargo.txt"; then stage_failed=1; fi
count_cargo "$logs/cargo.txt"
if [ -n "${MEILISEARCH_URL:-}" ]; then
  step "Search relevance suite on Meilisearch ($MEILISEARCH_URL)"
  if ! cargo test -p domain --features ssr --test search_relevance -- --ignored 2>&1 | tee "$logs/meili.txt"; then stage_failed=1; fi
  count_cargo "$logs/meili.txt"
fi

step "Release build (server + WASM)"
if ! { cargo leptos build --release 2>&1 | tail -20 && bash scripts/build-reader.sh 2>&1 | tail -5 && node scripts/precompress.mjs target/site; }; then
  echo "release build failed"; failed=$((failed + 1)); stage_failed=1
else
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=coko LEPTOS_HASH_FILES=true LEPTOS_SITE_ADDR="127.0.0.1:$port"
  export DATABASE_URL="sqlite://$data/coko.db" COKO_DATA_DIR="$data" COKO_RATE_LIMIT_FACTOR=100
  COKO_ADMIN_PASSWORD=admin-e2e-secret target/release/coko create-admin --email admin@coko.test --name "Admin E2E"
  step "Import the corpus (and refuse a broken file)"
  corpus="${COKO_CORPUS:-../shared/corpus}"
  if target/release/coko import "$corpus/epub" && target/release/coko import "$corpus/pdf"; then passed=$((passed + 1)); else failed=$((failed + 1)); stage_failed=1; fi
  if target/release/coko seed --demo > /dev/null; then passed=$((passed + 1)); else echo "demo seed failed"; failed=$((failed + 1)); stage_failed=1; fi
  if target/release/coko reindex | tee /dev/stderr | grep -qE "search index (rebuilt: [1-9][0-9]* published books|rebuild asked)"; then passed=$((passed + 1)); else echo "reindex failed"; failed=$((failed + 1)); stage_failed=1; fi
  bad=$(mktemp -d); printf 'not a book' > "$bad/broken.epub"
  if target/release/coko import "$bad"; then echo "a broken file was imported"; failed=$((failed + 1)); stage_failed=1; else passed=$((passed + 1)); fi
  rm -rf "$bad"
  # Payments and texts go to the sandbox, a separate process, as in the run command.
  sandbox_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  COKO_SANDBOX_ADDR="127.0.0.1:$sandbox_port" COKO_SANDBOX_WAVE_WEBHOOK_URL="http://127.0.0.1:$port/api/v1/payment/webhooks/wave/" \
    COKO_SANDBOX_STRIPE_WEBHOOK_URL="http://127.0.0.1:$port/api/v1/payment/webhooks/stripe/" \
    COKO_SANDBOX_PAYPAL_WEBHOOK_URL="http://127.0.0.1:$port/api/v1/payment/webhooks/paypal/" \
    COKO_SANDBOX_AFRICASTALKING_WEBHOOK_URL="http://127.0.0.1:$port/api/v1/notifications/sms/reports/sms-reports-e2e-0123456789/" \
    target/release/coko payment-sandbox > "$logs/sandbox.txt" 2>&1 &
  sandbox_pid=$!
  export COKO_WAVE_BASE_URL="http://127.0.0.1:$sandbox_port" COKO_WAVE_API_KEY=wave_sn_prod_sandbox COKO_WAVE_WEBHOOK_SECRET=wave_sn_WHS_sandbox
  export COKO_STRIPE_BASE_URL="http://127.0.0.1:$sandbox_port/stripe" COKO_STRIPE_SECRET_KEY=sk_test_sandbox COKO_STRIPE_WEBHOOK_SECRET=whsec_sandbox
  export COKO_ORANGE_BASE_URL="http://127.0.0.1:$sandbox_port" COKO_ORANGE_CLIENT_ID=orange_client_sandbox COKO_ORANGE_CLIENT_SECRET=orange_secret_sandbox
  export COKO_ORANGE_MERCHANT_KEY=orange_merchant_sandbox COKO_ORANGE_COUNTRY=ci
  export COKO_PAYPAL_BASE_URL="http://127.0.0.1:$sandbox_port/paypal" COKO_PAYPAL_CLIENT_ID=paypal_client_sandbox
  export COKO_PAYPAL_CLIENT_SECRET=paypal_secret_sandbox COKO_PAYPAL_WEBHOOK_ID=WH-COKO-SANDBOX
  export COKO_AFRICASTALKING_BASE_URL="http://127.0.0.1:$sandbox_port" COKO_AFRICASTALKING_USERNAME=sandbox COKO_AFRICASTALKING_API_KEY=atsk_sandbox
  export COKO_SMS_REPORT_TOKEN=sms-reports-e2e-0123456789 COKO_PUSH_ALLOW_LOOPBACK=true
  target/release/coko serve > "$logs/server.txt" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$logs/sandbox.txt" && break; sleep 0.1; done
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

  step "Page weight"
  # A book's page too (with its reviews section), found by the demo book's title.
  book=$(curl -fs "http://127.0.0.1:$port/api/v1/catalog/books/search/?q=baobab" | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).books[0]?.id ?? ""))')
  if node scripts/size-check.mjs "http://127.0.0.1:$port" / /connexion /catalogue "/recherche?q=moby" /premium "/livres/$book"; then passed=$((passed + 1)); else failed=$((failed + 1)); stage_failed=1; fi

  step "End-to-end flows in Chromium"
  export COKO_E2E_URL="http://127.0.0.1:$port" COKO_E2E_OUTBOX="$data/outbox" COKO_E2E_SANDBOX="$COKO_WAVE_BASE_URL"
  if ! node --test --test-concurrency=1 end2end/*.spec.mjs 2>&1 | tee "$logs/e2e.txt"; then stage_failed=1; fi
  grep -qE "^# pass [1-9]" "$logs/e2e.txt" || { echo "no end-to-end test ran"; stage_failed=1; }
  p=$(grep -E '^# pass ' "$logs/e2e.txt" | awk '{print $3}'); f=$(grep -E '^# fail ' "$logs/e2e.txt" | awk '{print $3}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
  echo "screenshots: end2end/screenshots/"

  kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
  kill -TERM "$sandbox_pid" 2>/dev/null; wait "$sandbox_pid" 2>/dev/null
  grep -q "shutting down" "$logs/server.txt" && echo "server stopped gracefully on SIGTERM"
  rm -rf "$data"
fi

if [ "$stage_failed" = 1 ] && [ "$failed" = 0 ]; then failed=1; fi
echo
echo "summary: $passed passed, $failed failed"
[ "$failed" = 0 ]
