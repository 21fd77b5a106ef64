-- Bookmarks, highlights and notes. Ids come from the client (UUIDs), so a retried or replayed
-- write finds the row it already made.
CREATE TABLE annotations (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    book_id TEXT NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    annotation_type TEXT NOT NULL CHECK (annotation_type IN ('highlight', 'note', 'bookmark')),
    -- A locator, or `start..end` for a passage.
    position TEXT NOT NULL,
    selected_text TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    color TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX annotations_reader_book ON annotations (user_id, book_id, created_at);
