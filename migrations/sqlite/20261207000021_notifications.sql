-- Notifications: the reader's in-app messages, their choices per category and channel, and
-- every message sent on another channel (the delivery log). Texts are rendered from `kind` and
-- `params` (JSON) in the reader's language when shown or sent.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    link TEXT,
    -- Source, reader and channel: a notice handed over twice is stored once.
    delivery_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    archived_at BIGINT
);
-- The bell's count and the inbox (unread first, newest first), by reader.
CREATE INDEX notifications_inbox ON notifications (user_id, archived_at, read_at, id);

-- Cells a reader set (a missing one follows the account's channel defaults).
CREATE TABLE notification_prefs (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    channel TEXT NOT NULL,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (user_id, category, channel)
);

CREATE TABLE notification_settings (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Local hours 0-23; both or neither.
    quiet_start BIGINT CHECK (quiet_start BETWEEN 0 AND 23),
    quiet_end BIGINT CHECK (quiet_end BETWEEN 0 AND 23),
    time_zone TEXT,
    -- The secret in one-click unsubscribe links (RFC 8058): who, without signing in.
    unsubscribe_token TEXT UNIQUE,
    updated_at BIGINT NOT NULL
);

-- One message on one channel: queued, sending, sent, delivered, failed or skipped, with the
-- provider's last answer. Its key (source:reader:channel) is its job's dedupe key.
CREATE TABLE deliveries (
    key TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    category TEXT NOT NULL,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    link TEXT,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'skipped')),
    attempts BIGINT NOT NULL DEFAULT 0,
    answer TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX deliveries_recent ON deliveries (updated_at);
CREATE INDEX deliveries_user ON deliveries (user_id, updated_at);
