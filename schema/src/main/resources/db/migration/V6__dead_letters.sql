-- Records the projector could not decode, written in the same transaction that moves the
-- partition's offset past them (so skipping is atomic and auditable), then relayed to the
-- dead-letter topic and deleted. A bad record may have no org, so this is not org-keyed.

CREATE TABLE dead_letters (
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    record_key  bytea,
    record_value bytea,
    reason      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT dead_letters_pk PRIMARY KEY (id)
);
