-- Authors, publishers and categories are searched by name through a folded key (lower case,
-- no accents: `émile` finds "Émile"; SQLite's LOWER only knows ASCII). Written by the server
-- with every name; rows from before are filled at start-up.
ALTER TABLE authors ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE publishers ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE categories ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
