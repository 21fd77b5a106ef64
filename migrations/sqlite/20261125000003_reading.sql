-- Reading: who may read which paid book, and where each reader is in each book.
CREATE TABLE entitlements (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    book_id TEXT NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    -- 'grant' (an editor or admin), later 'purchase', 'subscription'.
    source TEXT NOT NULL,
    granted_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, book_id)
);
CREATE INDEX entitlements_book ON entitlements (book_id);

-- One row per reader and book; the newest write (by the client's clock) wins.
CREATE TABLE reading_progress (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    book_id TEXT NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    locator TEXT NOT NULL,
    -- Hundredths of a percent (0..10000): exact in both databases.
    percentage_bp BIGINT NOT NULL CHECK (percentage_bp BETWEEN 0 AND 10000),
    current_page BIGINT,
    total_pages BIGINT,
    device TEXT NOT NULL,
    furthest_locator TEXT NOT NULL,
    furthest_bp BIGINT NOT NULL CHECK (furthest_bp BETWEEN 0 AND 10000),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, book_id)
);
CREATE INDEX reading_progress_recent ON reading_progress (user_id, updated_at DESC);
