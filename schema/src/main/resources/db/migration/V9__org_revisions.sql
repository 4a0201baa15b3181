-- A revision per (org, shard) for what no time bucket bounds, counted up by the batch
-- that changes it, in its transaction: runs_revision moves with any change
-- to one of the org's started runs (a run's detail shows its descendants and calls, which
-- can start at any time), alerts_revision with any alert event. With the bucket revisions
-- of rollup_revisions they let the read API decide a 304 without computing the answer
-- (extensions.md §1). One shard's batches are serial, so a row's revisions only grow and
-- the sum over shards grows with every change.
CREATE TABLE org_revisions (
    org_id          uuid    NOT NULL,
    shard           integer NOT NULL,
    runs_revision   bigint  NOT NULL DEFAULT 0,
    alerts_revision bigint  NOT NULL DEFAULT 0,
    CONSTRAINT org_revisions_pk PRIMARY KEY (org_id, shard)
);
