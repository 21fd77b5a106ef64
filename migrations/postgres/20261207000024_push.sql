-- Web Push: each browser a reader allowed (its push service endpoint and the keys its
-- messages are encrypted to, RFC 8291). An endpoint belongs to one reader at a time.
CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    device TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_sent_at BIGINT
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at);
