-- Books whose entry in the search index must be written again (added, changed, unpublished,
-- deleted). A background task drains it; an index outage delays updates, never loses them.
-- One row per book: a second change before the drain only moves the time.
CREATE TABLE search_outbox (
    book_id TEXT PRIMARY KEY NOT NULL,
    queued_at BIGINT NOT NULL
);
CREATE INDEX search_outbox_queued ON search_outbox (queued_at);
