-- Sorting the catalogue by title and by popularity, keyset-paginated like the newest-first list.
-- sort_title is the title folded (lower case, no accents, `œ` → `oe`), written by the server on
-- every insert and correction; rows from before this migration are filled at start-up.
ALTER TABLE books ADD COLUMN sort_title TEXT NOT NULL DEFAULT '';
CREATE INDEX books_title ON books (status, sort_title, id);
CREATE INDEX books_popular ON books (status, popularity DESC, id DESC);
