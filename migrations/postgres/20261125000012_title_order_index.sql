-- The title order compares byte by byte (COLLATE "C", as SQLite does), which the index of
-- migration 09 (database collation) cannot serve: every title-sorted page was a full scan and
-- sort (58 ms at 100 000 books). The same index in the order the query asks for.
DROP INDEX IF EXISTS books_title;
CREATE INDEX books_title ON books (status, sort_title COLLATE "C", id);
