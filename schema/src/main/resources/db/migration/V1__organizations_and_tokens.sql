-- Organizations and the read tokens that act for them. Every table is keyed by org_id
-- first so that the schema can later be distributed by organization.

CREATE TABLE organizations (
    org_id     uuid        NOT NULL,
    name       text        NOT NULL,
    plan       text        NOT NULL CHECK (plan IN ('starter', 'pro', 'scale')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pk PRIMARY KEY (org_id)
);

-- Only the SHA-256 of a token is stored (lowercase hex); the secret is shown once, at creation.
CREATE TABLE api_tokens (
    org_id       uuid        NOT NULL REFERENCES organizations (org_id),
    token_id     uuid        NOT NULL,
    token_hash   text        NOT NULL,
    prefix       text        NOT NULL,
    name         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text        NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_tokens_pk PRIMARY KEY (org_id, token_id),
    CONSTRAINT api_tokens_hash_is_sha256_hex CHECK (token_hash ~ '^[0-9a-f]{64}$')
);

-- Every bearer request looks its token up by hash, before it knows the org.
CREATE UNIQUE INDEX api_tokens_by_hash ON api_tokens (token_hash);
