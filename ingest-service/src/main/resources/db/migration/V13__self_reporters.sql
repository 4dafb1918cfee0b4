-- Self-reporting (issue 13): owners of small systems report their own meter reading once a month through
-- the /report pages (channel MANUAL), on the same pipeline, rules and receipts as DAS providers.

-- A system's designated reporter is a DAS provider or a self-reporter. Both are rows of provider, so a
-- designation, a feed and a reading name either kind by one id (ids are unique across the two kinds);
-- kind says which. A self-reporter has no approval history: it is never an approved DAS provider, which is
-- exactly what DAS_MANDATE asks of a reading for a system above the threshold.
ALTER TABLE provider ADD COLUMN kind text NOT NULL DEFAULT 'DAS_PROVIDER'
    CHECK (kind IN ('DAS_PROVIDER', 'SELF_REPORTER'));
-- where a DAS provider's missing-report notices go (optional column of the providers import)
ALTER TABLE provider ADD COLUMN contact_email text;

-- A self-reporter's account for the /report pages. No password until the owner sets one through an
-- invitation link; disabled accounts cannot log in and stay for the audit trail.
CREATE TABLE self_reporter (
    reporter_id   text        PRIMARY KEY REFERENCES provider,
    email         text        NOT NULL,
    password_hash text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    invited_at    timestamptz,
    disabled_at   timestamptz,
    disabled_by   text
);

-- One-time links (invitation, forgotten password): only the SHA-256 of the token is kept, so the table
-- does not hold working links. A link works once, before it expires.
CREATE TABLE reporter_token (
    token_sha256 text        PRIMARY KEY,
    reporter_id  text        NOT NULL REFERENCES self_reporter,
    purpose      text        NOT NULL CHECK (purpose IN ('INVITATION', 'PASSWORD_RESET')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX reporter_token_by_reporter ON reporter_token (reporter_id, created_at DESC);

-- Manual readings are deliveries like any other.
ALTER TABLE delivery DROP CONSTRAINT delivery_channel_check;
ALTER TABLE delivery ADD CONSTRAINT delivery_channel_check CHECK (channel IN ('SFTP', 'HTTPS', 'AS2', 'MANUAL'));

-- A self-reporter's month for one system: the reading entered (its feed), then the optional operational
-- experience, then completed ("Save"). One per system and reporting month (the month M whose window the
-- reading was entered in); a rejected reading leaves no row here, so the owner may enter another.
CREATE TABLE manual_report (
    system_id        text          NOT NULL REFERENCES pts_system,
    month            date          NOT NULL CHECK (extract(day FROM month) = 1),
    reporter_id      text          NOT NULL REFERENCES self_reporter,
    feed_id          bigint        NOT NULL REFERENCES feed,
    maintenance_usd  numeric(12,2) CHECK (maintenance_usd >= 0),
    repair_usd       numeric(12,2) CHECK (repair_usd >= 0),
    service_usd      numeric(12,2) CHECK (service_usd >= 0),
    outage_days      integer       CHECK (outage_days BETWEEN 0 AND 31),
    outage_notes     text,
    completed_at     timestamptz,
    -- a correction the owner asked for after the reading was accepted: ops decide
    correction_kwh   numeric(18,3),
    correction_note  text,
    correction_at    timestamptz,
    created_at       timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (system_id, month)
);
