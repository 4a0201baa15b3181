-- Runs ${first}..${last} of one organization for the read benchmark, with LLM call and tool
-- rows for every ${detail_every}th run and an alert for every 500th. Other placeholders:
-- ${org} (uuid), ${runs} (the org's total, which spreads them over the window), ${workflows},
-- ${days}, ${end} (the window's end), ${raw_days} (the org's retention: each run's rows expire
-- as the projector would set it, and its key goes into run_keys). Run i is md5(org:i); run
-- i (i % 10 = 3) is a child of i-1.
-- A detailed run's cost and tokens are split over its calls (the last takes the remainder),
-- so the run row stays the sum of its calls.
WITH inserted AS (
    INSERT INTO runs (org_id, run_id, workflow_name, started_at, run_id_external, parent_run_id, status, ended_at,
                      duration_ms, cost_usd, input_tokens, output_tokens, total_tokens, llm_call_count,
                      tool_use_count, expires_on)
    SELECT '${org}', md5('${org}:' || i)::uuid, workflow, started_at, 'ext-' || i,
           CASE WHEN i % 10 = 3 THEN md5('${org}:' || (i - 1))::uuid END,
           status, CASE WHEN status <> 'running' THEN started_at + duration_ms * interval '1 ms' END,
           CASE WHEN status <> 'running' THEN duration_ms END,
           cost, input_tokens, output_tokens, input_tokens + output_tokens, llm_calls, tools,
           (started_at AT TIME ZONE 'UTC')::date + ${raw_days} + 1
    FROM (
        SELECT i,
               'workflow-' || lpad(floor(${workflows} * power(random(), 2))::int::text, 2, '0') AS workflow,
               started_at,
               CASE WHEN started_at > timestamptz '${end}' - interval '20 minutes' AND r < 0.5 THEN 'running'
                    WHEN r < 0.86 THEN 'success' WHEN r < 0.93 THEN 'error'
                    WHEN r < 0.96 THEN 'loop_detected' ELSE 'timeout' END AS status,
               floor(exp(random() * 9 + 5))::bigint AS duration_ms,
               CASE WHEN random() < 0.02 THEN 0 ELSE round(exp(random() * 7 - 7.5)::numeric, 8) END AS cost,
               floor(random() * 20000)::bigint AS input_tokens,
               floor(random() * 4000)::bigint AS output_tokens,
               1 + floor(random() * 15)::int AS llm_calls,
               floor(random() * 10)::int AS tools
        FROM (SELECT i, random() AS r,
                     timestamptz '${end}' - interval '${days} days'
                         + (i - 1 + random()) * (${days} * 86400.0 / ${runs}) * interval '1 second' AS started_at
              FROM generate_series(${first}, ${last}) AS i) AS spread
    ) AS generated
    RETURNING org_id, run_id, workflow_name, started_at, substr(run_id_external, 5)::bigint AS i, cost_usd,
              input_tokens, output_tokens, llm_call_count, tool_use_count, expires_on
),
keys AS (
    INSERT INTO run_keys (org_id, run_id, expires_on) SELECT org_id, run_id, expires_on FROM inserted
),
detailed AS (
    SELECT * FROM inserted WHERE i % ${detail_every} = 0
),
calls AS (
    INSERT INTO llm_calls (org_id, call_id, run_id, model, provider, input_tokens, output_tokens, cost_usd,
                           latency_ms, status, started_at, expires_on)
    SELECT r.org_id, md5(r.run_id::text || ':call:' || c)::uuid, r.run_id,
           (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-haiku-4'])[1 + (c % 4)],
           CASE WHEN c % 4 < 2 THEN 'openai' ELSE 'anthropic' END,
           CASE WHEN c < r.llm_call_count THEN r.input_tokens / r.llm_call_count
                ELSE r.input_tokens - (r.llm_call_count - 1) * (r.input_tokens / r.llm_call_count) END,
           CASE WHEN c < r.llm_call_count THEN r.output_tokens / r.llm_call_count
                ELSE r.output_tokens - (r.llm_call_count - 1) * (r.output_tokens / r.llm_call_count) END,
           CASE WHEN c < r.llm_call_count THEN round(r.cost_usd / r.llm_call_count, 10)
                ELSE r.cost_usd - (r.llm_call_count - 1) * round(r.cost_usd / r.llm_call_count, 10) END,
           100 + floor(random() * 5000)::bigint, CASE WHEN random() < 0.03 THEN 'error' ELSE 'success' END,
           r.started_at + c * interval '1 second', r.expires_on
    FROM detailed r, generate_series(1, r.llm_call_count) AS c
),
tools AS (
    INSERT INTO tool_uses (org_id, tool_event_id, run_id, tool_name, status, duration_ms, started_at,
                           expires_on)
    SELECT r.org_id, md5(r.run_id::text || ':tool:' || t)::uuid, r.run_id,
           (ARRAY['web_search', 'sql_query', 'http_get', 'code_exec', 'file_read', 'vector_lookup',
                  'send_email', 'calculator'])[1 + floor(8 * power(random(), 1.5))::int],
           CASE WHEN random() < 0.05 THEN 'error' ELSE 'success' END,
           floor(exp(random() * 7 + 2))::bigint, r.started_at + t * interval '1500 ms', r.expires_on
    FROM detailed r, generate_series(1, r.tool_use_count) AS t
)
INSERT INTO alert_events (org_id, alert_event_id, alert_rule_id, alert_rule_name, run_id, workflow_name,
                          triggered_value, threshold_value, notification_sent, fired_at, resolved_at)
SELECT org_id, md5(run_id::text || ':alert')::uuid, 'rule-' || (i % 10), 'Rule ' || (i % 10), run_id,
       workflow_name, 1.5, 1.0, i % 3 <> 0, started_at + interval '1 minute',
       CASE WHEN i % 5 <> 0 THEN started_at + interval '1 hour' END
FROM inserted WHERE i % 500 = 250;
