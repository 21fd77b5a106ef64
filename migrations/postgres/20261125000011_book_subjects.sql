-- The subjects an EPUB names (`dc:subject`, one per line): searched, and offered to editors as
-- categories to file the book in.
ALTER TABLE books ADD COLUMN subjects TEXT NOT NULL DEFAULT '';
