-- Community, part one: ratings and reviews. One review per reader and book (its rating 1-5,
-- an optional title, a Markdown text kept as written and as sanitised HTML). A review is
-- 'published', 'pending' (held: a new account, a burst on the book; a moderator decides) or
-- 'hidden' (by a moderator, with the reason told to its author). Only published reviews count
-- in the book's rating, which is kept on the book (count, sum and the rank the catalogue sorts
-- by), recomputed in the same unit of work as the review.
CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    book_id TEXT NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL DEFAULT '',
    spoiler INTEGER NOT NULL DEFAULT 0 CHECK (spoiler IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('published', 'pending', 'hidden')),
    -- Why a review waits ('new_account', 'burst') or was hidden (the moderator's reason).
    status_reason TEXT NOT NULL DEFAULT '',
    helpful BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (book_id, user_id)
);
-- The three orders of a book's reviews, keyset-paginated.
CREATE INDEX reviews_book_newest ON reviews (book_id, status, created_at DESC, id DESC);
CREATE INDEX reviews_book_helpful ON reviews (book_id, status, helpful DESC, id DESC);
CREATE INDEX reviews_book_rating ON reviews (book_id, status, rating DESC, id DESC);
-- A reader's recent reviews (the posting limit) and the moderators' queue.
CREATE INDEX reviews_user ON reviews (user_id, created_at);
CREATE INDEX reviews_status ON reviews (status, created_at);

-- "Helpful" votes: one per reader and review, never one's own.
CREATE TABLE review_votes (
    review_id TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (review_id, user_id)
);

ALTER TABLE books ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE books ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
-- Hundredths of a Bayesian average (two phantom ratings of 3), 0 without ratings: one book
-- rated 5 once does not come before one rated 4.8 by two hundred readers.
ALTER TABLE books ADD COLUMN rating_rank BIGINT NOT NULL DEFAULT 0;
CREATE INDEX books_rated ON books (status, rating_rank DESC, id DESC);
