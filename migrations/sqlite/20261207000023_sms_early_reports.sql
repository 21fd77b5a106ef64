-- SMS delivery reports that arrive before Coko has written down the message id the provider
-- gave it (the provider may report before its answer to the send is read). Kept until the
-- send's handler claims its report, at most a day.
CREATE TABLE sms_early_reports (
    message_id TEXT PRIMARY KEY NOT NULL,
    phone TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    received_at BIGINT NOT NULL
);
