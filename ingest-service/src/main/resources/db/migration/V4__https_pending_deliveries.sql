-- HTTPS feeds too large to judge within the request: accepted with 202, the raw bytes already
-- archived, and judged by a worker. The row is locked (FOR UPDATE SKIP LOCKED) in the same
-- transaction that stores the feed, so a crash leaves it pending for another try, and the feed's
-- (channel, source_key) constraint keeps it from being stored twice.
CREATE TABLE https_delivery (
    delivery_id  text        PRIMARY KEY,
    provider_id  text        NOT NULL,
    format       text        NOT NULL,
    file_name    text        NOT NULL,
    raw_location text        NOT NULL,
    received_at  timestamptz NOT NULL,
    feed_id      bigint      REFERENCES feed,
    done_at      timestamptz
);
CREATE INDEX https_delivery_pending ON https_delivery (received_at) WHERE done_at IS NULL;
