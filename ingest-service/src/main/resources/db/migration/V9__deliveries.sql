-- Every delivery is a stored record, written before it is judged (issue 10). Its raw bytes are kept in
-- the database, content-addressed, in the same transaction, so any instance can judge, retry, serve and
-- reprocess any delivery; the local archive directory is gone.

-- The bytes of one content (SHA-256), in chunks of at most 1 MiB (a bytea is read whole; chunks keep
-- reads and writes of a 5 GB feed in bounded memory). lz4: meter feeds compress about 4:1 and lz4 costs
-- far less CPU than the default pglz.
CREATE TABLE raw_content (
    sha256     text   PRIMARY KEY,
    byte_count bigint NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE raw_chunk (
    sha256 text    NOT NULL REFERENCES raw_content ON DELETE CASCADE,
    seq    integer NOT NULL,
    bytes  bytea   COMPRESSION lz4 NOT NULL,
    PRIMARY KEY (sha256, seq)
);

-- RECEIVED → JUDGED | FAILED → (retried) … → QUARANTINED; ops may retry a FAILED or QUARANTINED delivery
-- (back to FAILED, due now) or discard it (DISCARDED, with the reason). See README "Delivery life-cycle".
CREATE TABLE delivery (
    delivery_id     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         text        NOT NULL CHECK (channel IN ('SFTP', 'HTTPS', 'AS2')),
    -- DeliveryKey: "<kind>:<value>", one format for every channel (sftp:, https:, as2:, reprocess:)
    source_key      text        NOT NULL,
    provider_id     text        NOT NULL,
    format          text        NOT NULL,
    file_name       text        NOT NULL,
    sha256          text        NOT NULL REFERENCES raw_content,
    byte_count      bigint      NOT NULL,
    received_at     timestamptz NOT NULL,
    reprocess_of    bigint      REFERENCES feed,
    requested_by    text,       -- the ops user who asked for a reprocess
    state           text        NOT NULL DEFAULT 'RECEIVED'
        CHECK (state IN ('RECEIVED', 'JUDGED', 'FAILED', 'QUARANTINED', 'DISCARDED')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    -- when the background worker may take it: a delivery its channel is judging now is taken only if
    -- that channel never finished (the instance died), a failed one at its next back-off step
    next_attempt_at timestamptz,
    feed_id         bigint      REFERENCES feed,
    -- the channel stopped waiting for it (an SFTP file left the inbox once recorded; a reprocess never
    -- had a channel): the worker writes its answer (SFTP receipt, or the quarantine folder)
    handed_over_at  timestamptz,
    discard_reason  text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, source_key),
    CHECK ((state = 'JUDGED') = (feed_id IS NOT NULL)),
    CHECK ((state = 'DISCARDED') = (discard_reason IS NOT NULL))
);
CREATE INDEX delivery_due ON delivery (next_attempt_at) WHERE state IN ('RECEIVED', 'FAILED');
CREATE INDEX delivery_needs_ops ON delivery (updated_at) WHERE state IN ('FAILED', 'QUARANTINED');
CREATE INDEX delivery_by_provider ON delivery (provider_id, received_at);

-- How far a background judge has come (readings judged so far), written outside its transaction so
-- the console can show it while the delivery row is locked.
CREATE TABLE delivery_progress (
    delivery_id bigint      PRIMARY KEY REFERENCES delivery ON DELETE CASCADE,
    records_read   bigint   NOT NULL DEFAULT 0,
    records_judged bigint   NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE feed ADD COLUMN delivery_id bigint REFERENCES delivery;
-- Feeds keep their delivery's key; old feeds' keys move to the one format, so a retry of a delivery
-- received before the upgrade is still recognised.
UPDATE feed SET source_key = CASE
    WHEN reprocess_of IS NOT NULL THEN 'reprocess:' || source_key
    WHEN channel = 'SFTP' THEN 'sftp:' || source_key
    WHEN channel = 'AS2' THEN 'as2:' || source_key
    ELSE source_key END;
-- Bytes now live in raw_content (by sha256); feeds from before this version keep their old path here.
ALTER TABLE feed ALTER COLUMN raw_location DROP NOT NULL;

ALTER TABLE ops_action ADD COLUMN delivery_id bigint REFERENCES delivery;
ALTER TABLE ops_action DROP CONSTRAINT ops_action_action_check;
ALTER TABLE ops_action ADD CONSTRAINT ops_action_action_check CHECK (action IN ('REPROCESS', 'DISMISS',
    'APPROVE_READING', 'REJECT_READING', 'RETRY_DELIVERY', 'DISCARD_DELIVERY'));

-- The 202 queue is now deliveries in state RECEIVED, due at once. Pending rows of the old queue have
-- their bytes in the local archive only: they cannot move into raw_content from SQL, so the upgrade
-- refuses to run over them rather than drop them (drain the queue with the previous version first).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM https_delivery WHERE done_at IS NULL) THEN
        RAISE EXCEPTION 'https_delivery has pending deliveries: let the previous version judge them first';
    END IF;
END $$;
DROP TABLE https_delivery;
