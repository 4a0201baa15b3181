-- Every workflow and tool rollup recomputed from the run and tool-use rows, one row per
-- bucket (shard 0), with the projector's bin mapping (LogHistogram.binOf:
-- ceil(ln v / ln γ), γ = 1.005 / 0.995). Placeholder: ${level} (bucket seconds). The work
-- tables are unlogged ordinary tables, not temporary ones, so PostgreSQL can scan them in parallel.
CREATE UNLOGGED TABLE bench_run_bins AS
SELECT org_id, workflow_name,
       to_timestamp(floor(extract(epoch FROM started_at) / ${level}) * ${level}) AS bucket_start,
       started_at, status, cost_usd, duration_ms, input_tokens, output_tokens, llm_call_count, tool_use_count,
       CASE WHEN cost_usd > 0 THEN ceil(ln(cost_usd::float8) / ln(1.005::float8 / 0.995::float8))::int END AS cost_bin,
       CASE WHEN status <> 'running' AND duration_ms > 0
            THEN ceil(ln(duration_ms::float8) / ln(1.005::float8 / 0.995::float8))::int END AS duration_bin
FROM runs WHERE started_at IS NOT NULL;

INSERT INTO workflow_rollups (org_id, workflow_name, bucket_seconds, bucket_start, shard, run_count, running_count,
                              success_count, error_count, loop_detected_count, timeout_count, cost_total,
                              duration_total_ms, input_tokens, output_tokens, llm_call_count, tool_use_count,
                              last_started_at, cost_zero, cost_bins, cost_counts, duration_zero, duration_bins,
                              duration_counts)
SELECT t.org_id, t.workflow_name, ${level}, t.bucket_start, 0, t.run_count, t.running_count, t.success_count,
       t.error_count, t.loop_detected_count, t.timeout_count, t.cost_total, t.duration_total_ms, t.input_tokens,
       t.output_tokens, t.llm_call_count, t.tool_use_count, t.last_started_at, t.cost_zero,
       coalesce(c.bins, '{}'), coalesce(c.counts, '{}'), t.duration_zero, coalesce(d.bins, '{}'),
       coalesce(d.counts, '{}')
FROM (SELECT org_id, workflow_name, bucket_start, count(*) AS run_count,
             count(*) FILTER (WHERE status = 'running') AS running_count,
             count(*) FILTER (WHERE status = 'success') AS success_count,
             count(*) FILTER (WHERE status = 'error') AS error_count,
             count(*) FILTER (WHERE status = 'loop_detected') AS loop_detected_count,
             count(*) FILTER (WHERE status = 'timeout') AS timeout_count,
             sum(cost_usd) AS cost_total,
             coalesce(sum(duration_ms) FILTER (WHERE status <> 'running'), 0) AS duration_total_ms,
             sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
             sum(llm_call_count) AS llm_call_count, sum(tool_use_count) AS tool_use_count,
             max(started_at) AS last_started_at,
             count(*) FILTER (WHERE cost_usd = 0) AS cost_zero,
             count(*) FILTER (WHERE status <> 'running' AND duration_ms = 0) AS duration_zero
      FROM bench_run_bins GROUP BY org_id, workflow_name, bucket_start) AS t
LEFT JOIN (SELECT org_id, workflow_name, bucket_start, array_agg(cost_bin ORDER BY cost_bin) AS bins,
                  array_agg(n ORDER BY cost_bin) AS counts
           FROM (SELECT org_id, workflow_name, bucket_start, cost_bin, count(*) AS n FROM bench_run_bins
                 WHERE cost_bin IS NOT NULL GROUP BY 1, 2, 3, 4) AS bins
           GROUP BY 1, 2, 3) AS c USING (org_id, workflow_name, bucket_start)
LEFT JOIN (SELECT org_id, workflow_name, bucket_start, array_agg(duration_bin ORDER BY duration_bin) AS bins,
                  array_agg(n ORDER BY duration_bin) AS counts
           FROM (SELECT org_id, workflow_name, bucket_start, duration_bin, count(*) AS n FROM bench_run_bins
                 WHERE duration_bin IS NOT NULL GROUP BY 1, 2, 3, 4) AS bins
           GROUP BY 1, 2, 3) AS d USING (org_id, workflow_name, bucket_start);

DROP TABLE bench_run_bins;

CREATE UNLOGGED TABLE bench_tool_bins AS
SELECT u.org_id, r.workflow_name, u.tool_name,
       to_timestamp(floor(extract(epoch FROM r.started_at) / ${level}) * ${level}) AS bucket_start,
       u.run_id, u.status, u.duration_ms,
       CASE WHEN u.duration_ms > 0
            THEN ceil(ln(u.duration_ms::float8) / ln(1.005::float8 / 0.995::float8))::int END AS duration_bin
FROM tool_uses u JOIN runs r ON r.org_id = u.org_id AND r.run_id = u.run_id
WHERE r.started_at IS NOT NULL;

INSERT INTO tool_rollups (org_id, workflow_name, tool_name, bucket_seconds, bucket_start, shard, use_count,
                          error_count, duration_total_ms, run_count, duration_zero, duration_bins, duration_counts)
SELECT t.org_id, t.workflow_name, t.tool_name, ${level}, t.bucket_start, 0, t.use_count, t.error_count,
       t.duration_total_ms, t.run_count, t.duration_zero, coalesce(d.bins, '{}'), coalesce(d.counts, '{}')
FROM (SELECT org_id, workflow_name, tool_name, bucket_start, count(*) AS use_count,
             count(*) FILTER (WHERE status = 'error') AS error_count, sum(duration_ms) AS duration_total_ms,
             count(DISTINCT run_id) AS run_count, count(*) FILTER (WHERE duration_ms = 0) AS duration_zero
      FROM bench_tool_bins GROUP BY 1, 2, 3, 4) AS t
LEFT JOIN (SELECT org_id, workflow_name, tool_name, bucket_start, array_agg(duration_bin ORDER BY duration_bin) AS bins,
                  array_agg(n ORDER BY duration_bin) AS counts
           FROM (SELECT org_id, workflow_name, tool_name, bucket_start, duration_bin, count(*) AS n
                 FROM bench_tool_bins WHERE duration_bin IS NOT NULL GROUP BY 1, 2, 3, 4, 5) AS bins
           GROUP BY 1, 2, 3, 4) AS d USING (org_id, workflow_name, tool_name, bucket_start);

DROP TABLE bench_tool_bins;

INSERT INTO rollup_revisions (org_id, bucket_seconds, bucket_start, shard, revision)
SELECT org_id, ${level}, bucket_start, shard, nextval('rollup_revision')
FROM (SELECT DISTINCT org_id, bucket_start, shard FROM workflow_rollups WHERE bucket_seconds = ${level}) AS buckets;
