-- SMS: the reader's number (verified by a code sent to it; only the code's digest is kept)
-- and, on each delivery, where it went and the provider's id for its delivery reports.
CREATE TABLE sms_phones (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    verified_at BIGINT,
    code_digest TEXT,
    code_expires_at BIGINT,
    code_tries BIGINT NOT NULL DEFAULT 0,
    asked_at BIGINT NOT NULL
);

ALTER TABLE deliveries ADD COLUMN address TEXT;
ALTER TABLE deliveries ADD COLUMN provider_ref TEXT;
CREATE INDEX deliveries_provider_ref ON deliveries (channel, provider_ref);
