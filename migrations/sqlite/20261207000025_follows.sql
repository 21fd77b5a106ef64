-- Follows: the authors and categories a reader wants to hear of. A book published by one of
-- them (or in a category under a followed one) is told to its followers once (notifications
-- keyed `new_book:<book>`). The target is an author's or a category's id: no foreign key, as it
-- names one of two tables; a follow whose target is gone is not listed and matches nothing.
CREATE TABLE follows (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('author', 'category')),
    target_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, target_kind, target_id)
);
CREATE INDEX follows_target ON follows (target_kind, target_id, user_id);
