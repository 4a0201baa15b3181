-- verify's retained-range bound, a subquery per row against an anti-join (BENCHMARKS.md).
-- On a database at V11: psql -f bench/verify-retained-bound.sql. Populates, times each form twice
-- beside the unbounded count, then cuts two orgs' horizons into the data and counts per org both ways.
INSERT INTO organizations (org_id, name, plan) VALUES
  ('00000000-0000-0000-0000-000000000001', 'Small', 'starter'),
  ('00000000-0000-0000-0000-000000000002', 'Medium', 'pro');
INSERT INTO organizations (org_id, name, plan) SELECT gen_random_uuid(), 'o' || i, 'pro' FROM generate_series(1, 500) i;
INSERT INTO runs (org_id, run_id, workflow_name, started_at, status, cost_usd)
SELECT ('00000000-0000-0000-0000-00000000000' || (1 + i % 3))::uuid, md5('run' || i)::uuid,
       'workflow-' || (i % 50), now() - (i % 2592000) * interval '1 second', 'success', 0.08
FROM generate_series(1, 3000000) i;
VACUUM ANALYZE;
\timing on
SELECT count(*) FROM runs WHERE started_at IS NOT NULL AND expires_on > current_date
 AND started_at >= coalesce((current_date - (SELECT least(coalesce(o.retention_days, p.raw_days), coalesce(o.raw_days_min, coalesce(o.retention_days, p.raw_days)))
      FROM organizations o JOIN retention_plans p ON p.plan = o.plan WHERE o.org_id = runs.org_id))::timestamp AT TIME ZONE 'UTC', '-infinity');
SELECT count(*) FROM runs WHERE started_at IS NOT NULL AND expires_on > current_date
 AND NOT EXISTS (SELECT 1 FROM organizations o JOIN retention_plans p ON p.plan = o.plan WHERE o.org_id = runs.org_id
      AND runs.started_at < (current_date - least(coalesce(o.retention_days, p.raw_days), coalesce(o.raw_days_min, coalesce(o.retention_days, p.raw_days))))::timestamp AT TIME ZONE 'UTC');
SELECT count(*) FROM runs WHERE started_at IS NOT NULL AND expires_on > current_date;
SELECT count(*) FROM runs WHERE started_at IS NOT NULL AND expires_on > current_date
 AND started_at >= coalesce((current_date - (SELECT least(coalesce(o.retention_days, p.raw_days), coalesce(o.raw_days_min, coalesce(o.retention_days, p.raw_days)))
      FROM organizations o JOIN retention_plans p ON p.plan = o.plan WHERE o.org_id = runs.org_id))::timestamp AT TIME ZONE 'UTC', '-infinity');
SELECT count(*) FROM runs WHERE started_at IS NOT NULL AND expires_on > current_date
 AND NOT EXISTS (SELECT 1 FROM organizations o JOIN retention_plans p ON p.plan = o.plan WHERE o.org_id = runs.org_id
      AND runs.started_at < (current_date - least(coalesce(o.retention_days, p.raw_days), coalesce(o.raw_days_min, coalesce(o.retention_days, p.raw_days))))::timestamp AT TIME ZONE 'UTC');
SELECT count(*) FROM runs WHERE started_at IS NOT NULL AND expires_on > current_date;
\timing off
UPDATE organizations SET retention_days = 10 WHERE org_id = '00000000-0000-0000-0000-000000000001';
UPDATE organizations SET raw_days_min = 5, raw_days_max = 90 WHERE org_id = '00000000-0000-0000-0000-000000000002';
SELECT org_id, count(*) FROM runs WHERE started_at IS NOT NULL AND expires_on > current_date
 AND started_at >= coalesce((current_date - (SELECT least(coalesce(o.retention_days, p.raw_days), coalesce(o.raw_days_min, coalesce(o.retention_days, p.raw_days)))
      FROM organizations o JOIN retention_plans p ON p.plan = o.plan WHERE o.org_id = runs.org_id))::timestamp AT TIME ZONE 'UTC', '-infinity') GROUP BY 1 ORDER BY 1;
SELECT org_id, count(*) FROM runs WHERE started_at IS NOT NULL AND expires_on > current_date
 AND NOT EXISTS (SELECT 1 FROM organizations o JOIN retention_plans p ON p.plan = o.plan WHERE o.org_id = runs.org_id
      AND runs.started_at < (current_date - least(coalesce(o.retention_days, p.raw_days), coalesce(o.raw_days_min, coalesce(o.retention_days, p.raw_days))))::timestamp AT TIME ZONE 'UTC') GROUP BY 1 ORDER BY 1;
