-- Time spent reading, as clients report it (ids from the client: replays store nothing new).
CREATE TABLE reading_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    book_id TEXT NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    start_bp BIGINT NOT NULL,
    end_bp BIGINT NOT NULL,
    pages BIGINT,
    device TEXT NOT NULL,
    CHECK (ended_at >= started_at)
);
CREATE INDEX reading_sessions_reader ON reading_sessions (user_id, started_at);
