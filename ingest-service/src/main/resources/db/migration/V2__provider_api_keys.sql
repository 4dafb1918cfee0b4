-- API keys a provider's software uses on the HTTPS feed API. The key is shown once when issued;
-- only the SHA-256 of its secret part is kept (the secret is 256 random bits, so a fast hash is as
-- safe as a slow one and keeps per-request checks cheap).
CREATE TABLE provider_api_key (
    key_id      text        PRIMARY KEY,
    provider_id text        NOT NULL REFERENCES provider,
    secret_sha256 text      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX provider_api_key_by_provider ON provider_api_key (provider_id);
