-- A run's parent on its key row. A child's rows live in the partition of its own expiry,
-- which its parent's does not bound (service clocks differ; a child may start first), so
-- run detail found a run's children by searching every partition's runs_by_parent. Now it
-- finds their keys here, one index, and reads each child in its own partition.
-- The projector sets the parent in the batch that applies the run's first start (the
-- start that wins, as runs.parent_run_id); a key and its run row always agree.
ALTER TABLE run_keys ADD COLUMN parent_run_id uuid;

UPDATE run_keys k SET parent_run_id = r.parent_run_id
FROM runs r
WHERE r.org_id = k.org_id AND r.run_id = k.run_id AND r.expires_on = k.expires_on
  AND r.parent_run_id IS NOT NULL;

CREATE INDEX run_keys_by_parent ON run_keys (org_id, parent_run_id) WHERE parent_run_id IS NOT NULL;

-- Nothing reads runs by parent any more; one index fewer for each child run written.
DROP INDEX runs_by_parent;
