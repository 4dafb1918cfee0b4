-- AS2 trading partners: the AS2 identity a provider's gateway sends as (AS2-From) and the X.509
-- certificate its signatures must verify against. One per provider; an AS2 identity names one provider.
CREATE TABLE as2_partner (
    provider_id   text        PRIMARY KEY REFERENCES provider,
    as2_id        text        NOT NULL UNIQUE,
    certificate   bytea       NOT NULL,  -- DER
    subject       text        NOT NULL,
    issuer        text        NOT NULL,
    serial        text        NOT NULL,
    not_before    timestamptz NOT NULL,
    not_after     timestamptz NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);

-- Asynchronous MDNs, signed and ready to send, kept until the partner's URL took them. A worker
-- locks due rows (FOR UPDATE SKIP LOCKED) and retries with back-off, so a partner that is down, a
-- restart or a second instance neither loses nor doubles one. One MDN per original message: a
-- replayed Message-ID finds its MDN already queued.
CREATE TABLE as2_async_mdn (
    mdn_id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id         text        NOT NULL REFERENCES provider,
    original_message_id text        NOT NULL,
    mdn_message_id      text        NOT NULL,
    as2_to              text        NOT NULL,
    url                 text        NOT NULL,
    disposition         text        NOT NULL,
    content_type        text        NOT NULL,
    body                bytea       NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    attempts            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    last_error          text,
    delivered_at        timestamptz,
    gave_up_at          timestamptz,
    UNIQUE (provider_id, original_message_id)
);
CREATE INDEX as2_async_mdn_due ON as2_async_mdn (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
