-- Domain events: what a command changed, written in the command's own transaction (with its rows
-- and its audit entry). The dispatcher turns each new event into jobs for the areas that react
-- to it, then marks it dispatched; nothing is lost between a commit and its consequences.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL,
    dispatched_at BIGINT
);
CREATE INDEX events_pending ON events (id) WHERE dispatched_at IS NULL;

-- The durable job queue: a job is claimed with a lease (a worker killed mid-job leaves it to be
-- claimed again once the lease is over), retried with a growing delay, and kept as dead after
-- its last attempt. A job waiting with the same key in the same queue is not added twice.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    queue TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'running', 'done', 'dead')),
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_at BIGINT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE UNIQUE INDEX jobs_waiting_once ON jobs (queue, dedupe_key) WHERE state = 'ready';
CREATE INDEX jobs_due ON jobs (queue, state, run_at);
CREATE INDEX jobs_state ON jobs (state, run_at);
CREATE INDEX jobs_key ON jobs (queue, dedupe_key, state);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- The search outbox becomes the first consumer of events: books still waiting are events now.
INSERT INTO events (kind, payload, at)
    SELECT 'book_changed', '{"kind":"book_changed","book_id":"' || book_id || '"}', queued_at FROM search_outbox ORDER BY queued_at;
DROP TABLE search_outbox;
