-- Named console and API users, so the audit trail says which person acted. Passwords are stored as
-- Spring Security delegating hashes ({bcrypt}…). The configured users ops and viewer remain as the
-- bootstrap accounts.
CREATE TABLE ops_user (
    username      text        PRIMARY KEY CHECK (username ~ '^[a-z][a-z0-9._-]{1,62}$'),
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('OPS', 'VIEWER')),
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);
