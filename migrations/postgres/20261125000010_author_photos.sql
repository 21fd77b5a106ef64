-- Authors get a photo (stored like covers: by content hash, served in several widths), and the
-- editors' lists find authors, publishers and categories by name.
ALTER TABLE authors ADD COLUMN photo_hash TEXT;
ALTER TABLE authors ADD COLUMN photo_mime TEXT;
CREATE INDEX authors_photo ON authors (photo_hash);
