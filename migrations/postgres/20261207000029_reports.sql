-- Reports and the moderators' queue. Anyone signed in reports an item (a review today; posts
-- and groups will use the same tables) with a reason; reports on one item merge into one flag,
-- whose score sums the reporters' weights (hundredths: a reader 100, more or less with the
-- accuracy of their earlier reports, staff 500). A flag is decided once (approved: the item was
-- hidden or deleted; rejected: it stays; ignored: it stays and counts for nobody) and reopened
-- when the item is reported again. Each report keeps its outcome: what the next weight of its
-- reporter is computed from.
CREATE TABLE flags (
    target_kind TEXT NOT NULL CHECK (target_kind IN ('review')),
    target_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'ignored', 'deleted')),
    score BIGINT NOT NULL DEFAULT 0,
    reports BIGINT NOT NULL DEFAULT 0,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    decided_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    decided_at BIGINT,
    decision_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (target_kind, target_id)
);
CREATE INDEX flags_queue ON flags (state, score DESC, last_at);

CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    -- NULL: Coko itself (a watched word).
    reporter_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    reason TEXT NOT NULL CHECK (reason IN ('spam', 'offensive', 'spoiler', 'off_topic', 'other', 'watched_word')),
    note TEXT NOT NULL DEFAULT '',
    weight BIGINT NOT NULL,
    -- '' while its flag waits; then 'upheld', 'rejected' or 'ignored'.
    outcome TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (target_kind, target_id, reporter_id)
);
CREATE INDEX reports_target ON reports (target_kind, target_id, created_at);
CREATE INDEX reports_reporter ON reports (reporter_id, outcome);
