-- Payments: one row per attempt to buy something, moved through its states only by what the
-- provider confirms (see domain/src/payment/state.rs). Amounts are whole francs (XOF has no
-- minor unit); `charged_*` is what the provider was asked for (EUR for PayPal, the same XOF
-- elsewhere). `open_key` is set while the payment can still be paid: one open payment per
-- reader, item and provider, so a double click or a retried checkout finds the first one.
CREATE TABLE payments (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    item_kind TEXT NOT NULL CHECK (item_kind IN ('book')),
    item_id TEXT NOT NULL,
    title TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    charged_amount BIGINT NOT NULL,
    charged_currency TEXT NOT NULL,
    provider TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('created', 'pending', 'succeeded', 'failed', 'expired', 'refunded')),
    failure TEXT,
    payer_phone TEXT,
    open_key TEXT UNIQUE,
    provider_ref TEXT,
    -- A value the provider gave for this payment only (Orange's notif_token).
    provider_secret TEXT,
    redirect_url TEXT,
    -- A session is being created with the provider until then (ms); how many times one was tried.
    creating_until BIGINT,
    create_attempts BIGINT NOT NULL DEFAULT 0,
    checked_at BIGINT,
    expires_at BIGINT,
    succeeded_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX payments_provider_ref ON payments (provider, provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX payments_user ON payments (user_id, created_at);
CREATE INDEX payments_state ON payments (state, created_at);

-- Everything a provider told us about a payment, as received: webhooks (raw body and the headers
-- that matter), session creations, lookups that changed something, refunds. Append-only.
CREATE TABLE payment_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id TEXT REFERENCES payments (id),
    provider TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('create', 'webhook', 'lookup', 'refund')),
    provider_event_id TEXT,
    state_before TEXT,
    state_after TEXT,
    body TEXT NOT NULL,
    headers TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX payment_events_payment ON payment_events (payment_id, id);

-- Which payment an entitlement came from (purchases are taken back with their refund).
ALTER TABLE entitlements ADD COLUMN payment_id TEXT REFERENCES payments (id);
