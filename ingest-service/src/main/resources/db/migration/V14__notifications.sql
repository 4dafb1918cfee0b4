-- E-mail (issue 13): invitations, password links, reminders and missing-report notices go through an
-- outbox. A message is recorded in the transaction that decides it, then sent by a worker on any instance
-- (FOR UPDATE SKIP LOCKED), retried with back-off; its state is what the console shows.
CREATE TABLE notification (
    notification_id         bigserial   PRIMARY KEY,
    kind                    text        NOT NULL
        CHECK (kind IN ('INVITATION', 'PASSWORD_RESET', 'WINDOW_OPEN', 'MISSING_REPORTS')),
    -- a self-reporter or a DAS provider (one id space, see V13)
    recipient_id            text        NOT NULL REFERENCES provider,
    -- NULL only for NO_ADDRESS: a DAS provider without a contact_email
    recipient_email         text,
    -- the reporting month whose window a reminder is about; NULL for invitations and password links
    window_month            date        CHECK (extract(day FROM window_month) = 1),
    subject                 text        NOT NULL,
    body                    text        NOT NULL,
    attachment_name         text,
    attachment_content_type text,
    attachment              bytea,
    -- PENDING: to send; SENT; FAILED: the last attempt failed, tried again at next_attempt_at;
    -- GAVE_UP: failed ingest.notifications.max-attempts times; KEPT: recorded while no SMTP server was
    -- configured, never sent; NO_ADDRESS: the recipient has no e-mail address, never sent
    state                   text        NOT NULL DEFAULT 'PENDING'
        CHECK (state IN ('PENDING', 'SENT', 'FAILED', 'GAVE_UP', 'KEPT', 'NO_ADDRESS')),
    attempts                integer     NOT NULL DEFAULT 0,
    next_attempt_at         timestamptz NOT NULL,
    last_error              text,
    created_at              timestamptz NOT NULL,
    sent_at                 timestamptz,
    CHECK ((attachment IS NULL) = (attachment_name IS NULL)),
    CHECK ((recipient_email IS NULL) = (state = 'NO_ADDRESS'))
);

-- A reminder is recorded once per (kind, recipient, window), whichever instance decides it first
-- (INSERT … ON CONFLICT DO NOTHING). Invitations and password links have no window: NULLs are distinct,
-- so each link is a row of its own (resending an invitation is a new row).
ALTER TABLE notification ADD CONSTRAINT notification_once_per_window UNIQUE (kind, recipient_id, window_month);

-- the worker's question: what is due
CREATE INDEX notification_due ON notification (next_attempt_at) WHERE state IN ('PENDING', 'FAILED');
-- the console's: newest first
CREATE INDEX notification_newest ON notification (created_at DESC, notification_id DESC);

-- Which reminder runs (kind, reporting month) are done: the first instance to insert the row computes the
-- recipients in the same transaction; the others find it and skip the (costly) missing-reports query.
CREATE TABLE reminder_run (
    kind         text        NOT NULL CHECK (kind IN ('WINDOW_OPEN', 'MISSING_REPORTS')),
    window_month date        NOT NULL CHECK (extract(day FROM window_month) = 1),
    ran_at       timestamptz NOT NULL,
    recorded     integer     NOT NULL,
    PRIMARY KEY (kind, window_month)
);
