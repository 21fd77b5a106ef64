-- Digests: a reader may take the chatty categories (groups, achievements, new books, news) as
-- one summary a day or a week instead of a message each. Notices held for the next summary
-- wait in digest_items (ids are time-ordered UUIDs: a summary drops the items up to its last).
ALTER TABLE notification_settings ADD COLUMN digest TEXT NOT NULL DEFAULT 'immediate';
CREATE TABLE digest_items (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_key TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX digest_items_user ON digest_items (user_id, id);
