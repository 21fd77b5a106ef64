-- Refresh-token families get an absolute lifetime: every token of a family carries the family's
-- end, copied on rotation, so a stolen family cannot be kept alive forever by refreshing.
-- Access tokens name their family, and stop working once it is revoked or over.
ALTER TABLE refresh_tokens ADD COLUMN family_expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE refresh_tokens SET family_expires_at = created_at + 7776000000;
CREATE INDEX refresh_tokens_family_live ON refresh_tokens (family_id, revoked_at);
