-- A revision per (org, rollup bucket, shard), taken from one sequence whenever the
-- projector changes any workflow or tool rollup row of that bucket, in the same
-- transaction. Readers cache what they computed from a set of buckets and reuse it while
-- the largest revision among those buckets is unchanged: a new value from the sequence is
-- always larger than every earlier one, so any change (or a new bucket) moves the maximum.
CREATE SEQUENCE rollup_revision;

CREATE TABLE rollup_revisions (
    org_id         uuid        NOT NULL,
    bucket_seconds integer     NOT NULL CHECK (bucket_seconds IN (300, 3600, 86400)),
    bucket_start   timestamptz NOT NULL,
    shard          integer     NOT NULL,
    revision       bigint      NOT NULL,
    CONSTRAINT rollup_revisions_pk PRIMARY KEY (org_id, bucket_seconds, bucket_start, shard)
);
