-- The payments table of SQLite, rebuilt so that a payment may buy a plan (its CHECK widened):
-- SQLite's documented procedure for a change ALTER TABLE cannot make, run by SqlStore::migrate
-- with foreign keys off, inside BEGIN IMMEDIATE … COMMIT, once (it looks at the table first).
CREATE TABLE payments_new (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    item_kind TEXT NOT NULL CHECK (item_kind IN ('book', 'plan')),
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
INSERT INTO payments_new (id, user_id, item_kind, item_id, title, amount, currency, charged_amount, charged_currency, provider, state, failure, payer_phone, open_key, provider_ref, provider_secret, redirect_url, creating_until, create_attempts, checked_at, expires_at, succeeded_at, created_at, updated_at) SELECT id, user_id, item_kind, item_id, title, amount, currency, charged_amount, charged_currency, provider, state, failure, payer_phone, open_key, provider_ref, provider_secret, redirect_url, creating_until, create_attempts, checked_at, expires_at, succeeded_at, created_at, updated_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE UNIQUE INDEX payments_provider_ref ON payments (provider, provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX payments_user ON payments (user_id, created_at);
CREATE INDEX payments_state ON payments (state, created_at);
CREATE INDEX payments_secret ON payments (provider, provider_secret) WHERE provider_secret IS NOT NULL;
