#!/usr/bin/env bash
# Runs Coko on http://127.0.0.1:3000 with the embedded defaults (SQLite under data/, mail to
# data/outbox/). On first start it offers demo accounts; pass --no-demo to skip them.
# Payments go to the Wave, Orange Money, Stripe and PayPal sandbox and texts to the Africa's Talking one
# (`coko payment-sandbox`, started here on 127.0.0.1:4010) unless COKO_WAVE_API_KEY is already set (then to the providers configured).
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
if [ -z "${COKO_WAVE_API_KEY:-}" ]; then
  export COKO_SANDBOX_ADDR="${COKO_SANDBOX_ADDR:-127.0.0.1:4010}"
  export COKO_SANDBOX_WAVE_WEBHOOK_URL="http://$LEPTOS_SITE_ADDR/api/v1/payment/webhooks/wave/"
  export COKO_WAVE_API_KEY=wave_sn_prod_sandbox COKO_WAVE_WEBHOOK_SECRET=wave_sn_WHS_sandbox
  export COKO_SANDBOX_WAVE_API_KEY="$COKO_WAVE_API_KEY" COKO_SANDBOX_WAVE_WEBHOOK_SECRET="$COKO_WAVE_WEBHOOK_SECRET"
  export COKO_WAVE_BASE_URL="http://$COKO_SANDBOX_ADDR"
  export COKO_SANDBOX_STRIPE_WEBHOOK_URL="http://$LEPTOS_SITE_ADDR/api/v1/payment/webhooks/stripe/"
  export COKO_STRIPE_SECRET_KEY=sk_test_sandbox COKO_STRIPE_WEBHOOK_SECRET=whsec_sandbox COKO_STRIPE_BASE_URL="http://$COKO_SANDBOX_ADDR/stripe"
  export COKO_ORANGE_CLIENT_ID=orange_client_sandbox COKO_ORANGE_CLIENT_SECRET=orange_secret_sandbox COKO_ORANGE_MERCHANT_KEY=orange_merchant_sandbox
  export COKO_ORANGE_BASE_URL="http://$COKO_SANDBOX_ADDR" COKO_ORANGE_COUNTRY=ci
  export COKO_SANDBOX_PAYPAL_WEBHOOK_URL="http://$LEPTOS_SITE_ADDR/api/v1/payment/webhooks/paypal/"
  export COKO_PAYPAL_CLIENT_ID=paypal_client_sandbox COKO_PAYPAL_CLIENT_SECRET=paypal_secret_sandbox COKO_PAYPAL_WEBHOOK_ID=WH-COKO-SANDBOX
  export COKO_PAYPAL_BASE_URL="http://$COKO_SANDBOX_ADDR/paypal"
  # Texts go to the Africa's Talking sandbox in the same process; its delivery reports come back
  # to the secret report URL. Texts sent are listed on http://$COKO_SANDBOX_ADDR/_sandbox/africastalking/phone
  export COKO_AFRICASTALKING_USERNAME=sandbox COKO_AFRICASTALKING_API_KEY=atsk_sandbox
  export COKO_AFRICASTALKING_BASE_URL="http://$COKO_SANDBOX_ADDR" COKO_SMS_REPORT_TOKEN=sms-reports-sandbox-0123456789
  export COKO_SANDBOX_AFRICASTALKING_WEBHOOK_URL="http://$LEPTOS_SITE_ADDR/api/v1/notifications/sms/reports/$COKO_SMS_REPORT_TOKEN/"
  # Subscriptions made by the push sandbox (plain HTTP on loopback) are accepted.
  export COKO_PUSH_ALLOW_LOOPBACK=true
  target/release/coko payment-sandbox &
  sandbox=$!
  trap 'kill "$sandbox" 2>/dev/null || true' EXIT
  echo "Payment sandbox (Wave, Orange Money, Stripe, PayPal): $COKO_WAVE_BASE_URL (no real money)"
  echo "SMS sandbox (Africa's Talking), the texts sent: $COKO_WAVE_BASE_URL/_sandbox/africastalking/phone"
fi
echo "Coko: http://$LEPTOS_SITE_ADDR"
target/release/coko serve
