-- A V9 database to time V10 on (BENCHMARKS.md): run with psql -f after V1..V9.
-- 1,000,000 runs over 60 days in two orgs (starter, pro), 8 LLM calls and 5 tool uses each.
INSERT INTO organizations (org_id, name, plan) VALUES
  ('00000000-0000-0000-0000-000000000001', 'Small', 'starter'),
  ('00000000-0000-0000-0000-000000000002', 'Medium', 'pro');
INSERT INTO runs (org_id, run_id, workflow_name, started_at, status, ended_at, duration_ms, cost_usd,
                  input_tokens, output_tokens, total_tokens, llm_call_count, tool_use_count)
SELECT ('00000000-0000-0000-0000-00000000000' || (1 + i % 2))::uuid, md5('run' || i)::uuid,
       'workflow-' || (i % 50), now() - (i % 5184000) * interval '1 second', 'success',
       now() - (i % 5184000) * interval '1 second' + interval '3 seconds', 3000, 0.08, 800, 400, 1200, 8, 5
FROM generate_series(1, 1000000) i;
INSERT INTO llm_calls (org_id, call_id, run_id, model, provider, input_tokens, output_tokens, cost_usd,
                       latency_ms, status, started_at)
SELECT ('00000000-0000-0000-0000-00000000000' || (1 + i % 2))::uuid, md5('call' || i || '.' || c)::uuid,
       md5('run' || i)::uuid, 'gpt-4o', 'openai', 100, 50, 0.01, 300, 'success',
       now() - (i % 5184000) * interval '1 second'
FROM generate_series(1, 1000000) i, generate_series(1, 8) c;
INSERT INTO tool_uses (org_id, tool_event_id, run_id, tool_name, status, duration_ms, started_at)
SELECT ('00000000-0000-0000-0000-00000000000' || (1 + i % 2))::uuid, md5('tool' || i || '.' || t)::uuid,
       md5('run' || i)::uuid, 'search', 'success', 40, now() - (i % 5184000) * interval '1 second'
FROM generate_series(1, 1000000) i, generate_series(1, 5) t;
VACUUM ANALYZE;
