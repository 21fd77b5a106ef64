-- Broadcasts: Coko's news written by an admin for a segment of readers (country, language,
-- Premium or not). Its words are its params (`title`, `body`, `title_en`…); each reader's
-- notification is keyed `broadcast:<id>`, so the fan-out can be retried without a second message.
CREATE TABLE broadcasts (
    id TEXT PRIMARY KEY NOT NULL,
    sent_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    params TEXT NOT NULL,
    link TEXT,
    country TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    plan TEXT NOT NULL DEFAULT '',
    readers BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX broadcasts_recent ON broadcasts (created_at);
