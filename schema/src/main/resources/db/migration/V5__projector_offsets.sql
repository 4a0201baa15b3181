-- The projector's position in each partition, written in the same transaction as the
-- projections it covers. Not organization data, so not keyed by org_id.

CREATE TABLE projector_offsets (
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT projector_offsets_pk PRIMARY KEY (topic, partition)
);
