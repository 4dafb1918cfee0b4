-- Registry: who may report what. Loaded by ops through /api/v1/registry/*.

CREATE TABLE provider (
    provider_id  text        PRIMARY KEY,
    name         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Approval history: the status in force on a date is the row with the latest effective_from on or
-- before it. Rows are never deleted, so "was this provider approved when it sent X" stays answerable.
CREATE TABLE provider_status (
    provider_id    text        NOT NULL REFERENCES provider,
    effective_from date        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('APPROVED', 'SUSPENDED', 'REVOKED')),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, effective_from)
);

CREATE TABLE pts_system (
    system_id         text          PRIMARY KEY,
    owner_name        text          NOT NULL,
    dc_capacity_kw    numeric(12,3) NOT NULL CHECK (dc_capacity_kw > 0),
    interconnected_on date          NOT NULL,
    program           text          NOT NULL,
    updated_at        timestamptz   NOT NULL DEFAULT now()
);

-- Designated production reporter of a system; effective_to is inclusive, NULL means open-ended.
CREATE TABLE designation (
    system_id      text        NOT NULL REFERENCES pts_system,
    provider_id    text        NOT NULL REFERENCES provider,
    effective_from date        NOT NULL,
    effective_to   date,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (system_id, provider_id, effective_from),
    CHECK (effective_to IS NULL OR effective_to >= effective_from)
);
CREATE INDEX designation_by_provider ON designation (provider_id, system_id);

-- OpenSSH public keys that let a provider log in to the embedded SFTP drop box as its provider_id.
CREATE TABLE provider_ssh_key (
    provider_id text        NOT NULL REFERENCES provider,
    fingerprint text        NOT NULL,
    public_key  text        NOT NULL,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, fingerprint)
);

-- Feeds: one row per delivery, whatever became of it.
CREATE TABLE feed (
    feed_id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id       text        NOT NULL,  -- no FK: feeds from unknown providers are recorded too
    channel           text        NOT NULL,
    file_name         text        NOT NULL,
    -- Identifies one delivery on its channel (SFTP: path, size, mtime). A retry of a delivery whose
    -- feed already committed finds it here instead of processing it twice.
    source_key        text        NOT NULL,
    sha256            text        NOT NULL,
    byte_count        bigint      NOT NULL,
    format            text        NOT NULL,
    received_at       timestamptz NOT NULL,
    processed_at      timestamptz NOT NULL,
    status            text        NOT NULL
        CHECK (status IN ('ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'DUPLICATE_FEED')),
    rejection_code    text,
    rejection_message text,
    duplicate_of      bigint      REFERENCES feed,
    reading_count     integer     NOT NULL DEFAULT 0,
    raw_location      text        NOT NULL,
    UNIQUE (channel, source_key),
    CHECK ((status = 'DUPLICATE_FEED') = (duplicate_of IS NOT NULL))
);
-- The same bytes from the same provider are processed once; later copies are recorded as
-- DUPLICATE_FEED rows pointing at the original (they are excluded from this index).
CREATE UNIQUE INDEX feed_original_bytes ON feed (provider_id, sha256) WHERE duplicate_of IS NULL;
CREATE INDEX feed_by_received ON feed (received_at DESC, feed_id DESC);
CREATE INDEX feed_by_provider ON feed (provider_id, received_at DESC);

CREATE TABLE feed_outcome_count (
    feed_id  bigint  NOT NULL REFERENCES feed,
    code     text    NOT NULL,
    count    integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (feed_id, code)
);

-- Accepted readings (plain or flagged). The primary key is the deduplication: one value per
-- system, meter and instant, for ever. No foreign key to feed: it would cost a trigger per row on
-- the bulk path, and feeds are never deleted.
CREATE TABLE reading (
    system_id    text          NOT NULL,
    meter_serial text          NOT NULL,
    read_at      timestamptz   NOT NULL,
    register_kwh numeric(18,3) NOT NULL CHECK (register_kwh >= 0),
    feed_id      bigint        NOT NULL,
    line_no      integer       NOT NULL,
    flag         text,          -- e.g. HIGH_PRODUCTION: accepted, waiting for review
    PRIMARY KEY (system_id, meter_serial, read_at)
);

-- Every reading that was not plainly accepted, as listed in the receipt.
CREATE TABLE reading_outcome (
    feed_id      bigint      NOT NULL REFERENCES feed,
    line_no      integer     NOT NULL,
    system_id    text,
    meter_serial text,
    read_at      timestamptz,
    register_kwh numeric(18,3),
    code         text        NOT NULL,
    message      text        NOT NULL,
    PRIMARY KEY (feed_id, line_no)
);
CREATE INDEX reading_outcome_by_code ON reading_outcome (code, feed_id);

-- SFTP claims: several service instances poll one inbox; the first to insert a file's key owns it.
-- A claim whose owner stops heart-beating (crash) can be taken over after the lease.
CREATE TABLE file_claim (
    claim_key    text        PRIMARY KEY,
    instance_id  text        NOT NULL,
    claimed_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    completed_at timestamptz
);
