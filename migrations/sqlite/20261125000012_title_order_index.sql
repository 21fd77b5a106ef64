-- PostgreSQL rebuilds its title index in byte order (COLLATE "C") here. SQLite compares
-- sort_title byte by byte already (BINARY), so its index of migration 09 serves the order as it is.
SELECT 1;
