-- Words moderators watch, per language: a review that uses one (whole words, case and accents
-- ignored) is flagged by Coko itself for the moderators' queue (a report without a reporter).
CREATE TABLE watched_words (
    language TEXT NOT NULL CHECK (language IN ('fr', 'en', 'ar')),
    word TEXT NOT NULL,
    added_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (language, word)
);
