-- Premium: plans, subscriptions and what each payment added to one; books an editor marks
-- premium. A payment may now buy a plan: SQLite cannot widen the payments table's CHECK in
-- place, and sqlx runs every SQLite migration inside a transaction (where foreign keys cannot be
-- switched off), so that table is rebuilt after the migrations by
-- domain/src/store/sqlite_payments_plans.sql (see SqlStore::migrate).
ALTER TABLE books ADD COLUMN premium INTEGER NOT NULL DEFAULT 0 CHECK (premium IN (0, 1));

-- Plans: Premium by the month or the year, a prepaid period (mobile money keeps no card on
-- file). Prices are set by admins, whole francs; a plan that is not active is not sold.
CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    period_days BIGINT NOT NULL CHECK (period_days > 0),
    price_amount BIGINT NOT NULL CHECK (price_amount > 0),
    price_currency TEXT NOT NULL DEFAULT 'XOF',
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO plans (id, period_days, price_amount, position) VALUES ('monthly', 30, 2000, 1), ('yearly', 365, 20000, 2);

-- A reader's Premium: until when it opens every premium book. Each confirmed payment adds its
-- plan's period from max(now, access_until), so paying early loses no day.
CREATE TABLE subscriptions (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    access_until BIGINT NOT NULL,
    -- Renewed without asking (a card through Stripe); mobile money never is.
    auto_renew INTEGER NOT NULL DEFAULT 0 CHECK (auto_renew IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_until ON subscriptions (access_until);

-- What each payment added to a subscription (once per payment: its key), so that a refund
-- takes back exactly that.
CREATE TABLE subscription_grants (
    payment_id TEXT PRIMARY KEY NOT NULL REFERENCES payments (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    period_ms BIGINT NOT NULL,
    until_before BIGINT NOT NULL,
    until_after BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX subscription_grants_user ON subscription_grants (user_id, created_at);
