-- Ops review: what ops decided about feeds and flagged readings, and who decided it.

-- A reprocessed feed is a new feed row (same raw bytes, same channel) pointing at the one it
-- supersedes; the superseded one points forward. Only the newest of a chain is "current".
ALTER TABLE feed ADD COLUMN reprocess_of  bigint REFERENCES feed;
ALTER TABLE feed ADD COLUMN superseded_by bigint REFERENCES feed;
-- Dismissed: ops looked at a rejected feed and decided nothing is to be done (reason in ops_action).
ALTER TABLE feed ADD COLUMN dismissed_at  timestamptz;

-- A reprocessed feed carries the same bytes as its original: it is not a DUPLICATE_FEED of it.
DROP INDEX feed_original_bytes;
CREATE UNIQUE INDEX feed_original_bytes ON feed (provider_id, sha256)
    WHERE duplicate_of IS NULL AND reprocess_of IS NULL;

-- The console's feed list pages newest first under any one filter; these keep each filter an index
-- range scan at 100,000s of feeds.
CREATE INDEX feed_by_status   ON feed (status, feed_id DESC);
CREATE INDEX feed_by_channel  ON feed (channel, feed_id DESC);
CREATE INDEX feed_by_provider_id ON feed (provider_id, feed_id DESC);
CREATE INDEX feed_outcome_by_code ON feed_outcome_count (code, feed_id DESC);
-- The review queue: rejected feeds nobody dealt with yet.
CREATE INDEX feed_needs_review ON feed (feed_id DESC)
    WHERE status IN ('REJECTED', 'PARTIALLY_ACCEPTED') AND superseded_by IS NULL AND dismissed_at IS NULL;

-- Decisions on flagged readings. An approved reading stays; a rejected one is removed from
-- reading (production figures) and kept here with its value.
CREATE TABLE flag_decision (
    system_id    text          NOT NULL,
    meter_serial text          NOT NULL,
    read_at      timestamptz   NOT NULL,
    register_kwh numeric(18,3) NOT NULL,
    feed_id      bigint        NOT NULL REFERENCES feed,
    flag         text          NOT NULL,
    decision     text          NOT NULL CHECK (decision IN ('APPROVED', 'REJECTED')),
    decided_by   text          NOT NULL,
    decided_at   timestamptz   NOT NULL DEFAULT now(),
    reason       text          NOT NULL,
    PRIMARY KEY (system_id, meter_serial, read_at, decided_at)
);
CREATE INDEX reading_flagged ON reading (feed_id) WHERE flag IS NOT NULL;

-- Audit trail: every ops action, who, when, why. Never updated or deleted.
CREATE TABLE ops_action (
    action_id  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    username   text        NOT NULL,
    action     text        NOT NULL CHECK (action IN ('REPROCESS', 'DISMISS', 'APPROVE_READING', 'REJECT_READING')),
    feed_id    bigint      REFERENCES feed,
    target     text,       -- the reading (system/meter/time) of a decision
    reason     text        NOT NULL,
    result     text        -- e.g. the new feed id of a reprocess
);
CREATE INDEX ops_action_by_feed ON ops_action (feed_id, at);
