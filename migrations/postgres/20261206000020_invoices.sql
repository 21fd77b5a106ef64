-- Invoices: one per succeeded payment, numbered without gaps per calendar year
-- (COKO-2026-000001), issued in the unit of work that moves the payment to succeeded. The buyer
-- and the item are copied as they were: an invoice never changes afterwards.
CREATE TABLE invoice_counters (
    year BIGINT PRIMARY KEY NOT NULL,
    last BIGINT NOT NULL
);

CREATE TABLE invoices (
    number TEXT PRIMARY KEY NOT NULL,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    payment_id TEXT NOT NULL UNIQUE REFERENCES payments (id),
    buyer_name TEXT NOT NULL,
    buyer_email TEXT NOT NULL,
    buyer_country TEXT NOT NULL,
    item_title TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    charged_amount BIGINT NOT NULL,
    charged_currency TEXT NOT NULL,
    provider TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    UNIQUE (year, seq)
);
