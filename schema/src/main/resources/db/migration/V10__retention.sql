-- Retention (issue 17): how long each org's raw rows are kept, and the raw tables
-- partitioned so that expired rows go by dropping whole partitions (docs/retention.md).
--
-- Horizons. Each plan has a default number of days of raw data (runs, LLM calls, tool uses,
-- alert events, 5-minute rollups) and of hour and day rollups; an org may override its raw
-- days. One table, so that the projector, the read API and the admin CLI agree.

CREATE TABLE retention_plans (
    plan        text    NOT NULL CHECK (plan IN ('starter', 'pro', 'scale')),
    raw_days    integer NOT NULL CHECK (raw_days BETWEEN 1 AND 1100),
    rollup_days integer NOT NULL CHECK (rollup_days BETWEEN 1 AND 1100),
    CONSTRAINT retention_plans_pk PRIMARY KEY (plan)
);

-- 13 months of hour and day rollups (396 days), longer where the raw rows live longer.
INSERT INTO retention_plans (plan, raw_days, rollup_days)
VALUES ('starter', 30, 396), ('pro', 90, 396), ('scale', 400, 400);

ALTER TABLE organizations ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 1100);

-- The shortest and longest raw horizons any stored run of the org was given (null: none
-- yet). The projector widens them, in the transaction that first writes a run under a new
-- horizon, so that a reader who sees the run also sees them: the read API bounds a time
-- window's runs to the partitions their expiry can be in.
ALTER TABLE organizations ADD COLUMN raw_days_min integer, ADD COLUMN raw_days_max integer;

-- Partitions. Every raw row carries expires_on: the first UTC day on which it is past its
-- org's horizon (the day its run started + the org's raw days + 1), fixed when the run's
-- start is known. Rows are partitioned by it, a week per partition, so rows of orgs with
-- different horizons that expire in the same week share a partition, and a partition whose
-- week has passed holds only expired rows: it is detached and dropped, no DELETE. A run
-- whose start is not known yet (an llm_call came first), or whose org has no horizon (not
-- registered here), has expires_on 9999-12-31 ("never"; not 'infinity', which drivers map
-- differently) and lives in the *_expire_never partition until its run_started moves it
-- (an UPDATE of expires_on moves the row to its week's partition).
--
-- A run's calls and tool uses share its expires_on, so they expire with it and a lookup by
-- (org, key, expires_on) touches one partition. The projector finds a run's expires_on in
-- run_keys, the one unpartitioned table, a narrow row per run.

ALTER TABLE runs RENAME TO runs_unpartitioned;
ALTER TABLE llm_calls RENAME TO llm_calls_unpartitioned;
ALTER TABLE tool_uses RENAME TO tool_uses_unpartitioned;
ALTER TABLE runs_unpartitioned RENAME CONSTRAINT runs_pk TO runs_unpartitioned_pk;
ALTER TABLE llm_calls_unpartitioned RENAME CONSTRAINT llm_calls_pk TO llm_calls_unpartitioned_pk;
ALTER TABLE tool_uses_unpartitioned RENAME CONSTRAINT tool_uses_pk TO tool_uses_unpartitioned_pk;
DROP INDEX runs_by_started_at, runs_by_workflow, runs_by_status, runs_by_cost, runs_by_duration, runs_by_parent,
    llm_calls_by_run, tool_uses_by_run;

CREATE TABLE runs (
    org_id          uuid           NOT NULL,
    run_id          uuid           NOT NULL,
    workflow_name   text,
    started_at      timestamptz,
    run_id_external text,
    parent_run_id   uuid,
    status          text           NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'success', 'error', 'loop_detected', 'timeout')),
    ended_at        timestamptz,
    duration_ms     bigint,
    cost_usd        numeric(30, 10) NOT NULL DEFAULT 0,
    input_tokens    bigint         NOT NULL DEFAULT 0,
    output_tokens   bigint         NOT NULL DEFAULT 0,
    total_tokens    bigint         NOT NULL DEFAULT 0,
    llm_call_count  integer        NOT NULL DEFAULT 0,
    tool_use_count  integer        NOT NULL DEFAULT 0,
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    expires_on      date           NOT NULL DEFAULT '9999-12-31',
    CONSTRAINT runs_pk PRIMARY KEY (org_id, run_id, expires_on)
) PARTITION BY RANGE (expires_on);

-- The same indexes as before (V2), on every partition.
CREATE INDEX runs_by_started_at ON runs (org_id, started_at, run_id) WHERE started_at IS NOT NULL;
CREATE INDEX runs_by_workflow ON runs (org_id, workflow_name, started_at, run_id) WHERE started_at IS NOT NULL;
CREATE INDEX runs_by_status ON runs (org_id, status, started_at, run_id) WHERE started_at IS NOT NULL;
CREATE INDEX runs_by_cost ON runs (org_id, cost_usd, run_id) WHERE started_at IS NOT NULL;
CREATE INDEX runs_by_duration ON runs (org_id, duration_ms, run_id) WHERE started_at IS NOT NULL;
CREATE INDEX runs_by_parent ON runs (org_id, parent_run_id, started_at) WHERE parent_run_id IS NOT NULL;

CREATE TABLE llm_calls (
    org_id        uuid            NOT NULL,
    call_id       uuid            NOT NULL,
    run_id        uuid            NOT NULL,
    model         text            NOT NULL,
    provider      text,
    input_tokens  bigint          NOT NULL,
    output_tokens bigint          NOT NULL,
    cost_usd      numeric(30, 10) NOT NULL,
    latency_ms    bigint          NOT NULL,
    status        text            NOT NULL CHECK (status IN ('success', 'error')),
    started_at    timestamptz     NOT NULL,
    expires_on    date            NOT NULL DEFAULT '9999-12-31',
    CONSTRAINT llm_calls_pk PRIMARY KEY (org_id, call_id, expires_on)
) PARTITION BY RANGE (expires_on);

CREATE INDEX llm_calls_by_run ON llm_calls (org_id, run_id, started_at);

CREATE TABLE tool_uses (
    org_id        uuid        NOT NULL,
    tool_event_id uuid        NOT NULL,
    run_id        uuid        NOT NULL,
    tool_name     text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('success', 'error')),
    duration_ms   bigint      NOT NULL,
    started_at    timestamptz NOT NULL,
    expires_on    date        NOT NULL DEFAULT '9999-12-31',
    CONSTRAINT tool_uses_pk PRIMARY KEY (org_id, tool_event_id, expires_on)
) PARTITION BY RANGE (expires_on);

CREATE INDEX tool_uses_by_run ON tool_uses (org_id, run_id, started_at);

CREATE TABLE runs_expire_never PARTITION OF runs FOR VALUES FROM ('9999-12-31') TO (MAXVALUE);
CREATE TABLE llm_calls_expire_never PARTITION OF llm_calls FOR VALUES FROM ('9999-12-31') TO (MAXVALUE);
CREATE TABLE tool_uses_expire_never PARTITION OF tool_uses FOR VALUES FROM ('9999-12-31') TO (MAXVALUE);

-- Where each run's rows live. Locked first by every batch that touches the run, so it also
-- serializes projectors on a run wherever its rows are. Expired keys are deleted in small
-- batches (the only DELETE of raw data: a narrow row per run).
CREATE TABLE run_keys (
    org_id     uuid NOT NULL,
    run_id     uuid NOT NULL,
    expires_on date NOT NULL,
    CONSTRAINT run_keys_pk PRIMARY KEY (org_id, run_id)
);

CREATE INDEX run_keys_by_expiry ON run_keys (expires_on) WHERE expires_on < '9999-12-31';

-- Creates the missing weekly partitions (weeks start on Monday) of runs, llm_calls and
-- tool_uses for the expiry days first..last; the projector's retention job calls it ahead
-- of time. A partition is created as a table and then attached, which locks the parent
-- only against DDL (SHARE UPDATE EXCLUSIVE), not against the projector's writes.
-- Callers race (the admin CLI, a starting projector, two consumer threads): a transaction
-- lock makes them take turns, and a week another caller made meanwhile is skipped.
CREATE FUNCTION create_expiry_partitions(first date, last date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    week   date := date_trunc('week', first)::date;
    parent text;
    name   text;
    made   integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('trakr create_expiry_partitions'));
    WHILE week <= last LOOP
        FOREACH parent IN ARRAY ARRAY['runs', 'llm_calls', 'tool_uses'] LOOP
            name := parent || '_expire_' || to_char(week, 'YYYYMMDD');
            IF to_regclass(name) IS NULL THEN
                BEGIN
                    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name, parent);
                    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                                   parent, name, week, week + 7);
                    made := made + 1;
                EXCEPTION WHEN duplicate_table OR unique_violation THEN
                    NULL; -- made by a caller outside the lock's turn-taking: already there
                END;
            END IF;
        END LOOP;
        week := week + 7;
    END LOOP;
    RETURN made;
END
$$;

-- The rows so far, each with its expiry: runs of registered orgs that have started get one.
INSERT INTO run_keys (org_id, run_id, expires_on)
SELECT r.org_id, r.run_id,
       CASE WHEN r.started_at IS NULL OR o.org_id IS NULL THEN '9999-12-31'::date
            ELSE (r.started_at AT TIME ZONE 'UTC')::date + coalesce(o.retention_days, p.raw_days) + 1 END
FROM runs_unpartitioned r
LEFT JOIN organizations o ON o.org_id = r.org_id
LEFT JOIN retention_plans p ON p.plan = o.plan;

UPDATE organizations o SET raw_days_min = coalesce(o.retention_days, p.raw_days),
                           raw_days_max = coalesce(o.retention_days, p.raw_days)
FROM retention_plans p WHERE p.plan = o.plan;

-- Keys of calls and tool uses whose run row is missing (rows written by hand): never expire.
INSERT INTO run_keys (org_id, run_id, expires_on)
SELECT DISTINCT org_id, run_id, '9999-12-31'::date FROM llm_calls_unpartitioned
UNION
SELECT DISTINCT org_id, run_id, '9999-12-31'::date FROM tool_uses_unpartitioned
ON CONFLICT DO NOTHING;

SELECT create_expiry_partitions(min(expires_on), max(expires_on))
FROM run_keys WHERE expires_on < '9999-12-31';

INSERT INTO runs SELECT r.*, k.expires_on
FROM runs_unpartitioned r JOIN run_keys k USING (org_id, run_id);
INSERT INTO llm_calls SELECT c.*, k.expires_on
FROM llm_calls_unpartitioned c JOIN run_keys k USING (org_id, run_id);
INSERT INTO tool_uses SELECT t.*, k.expires_on
FROM tool_uses_unpartitioned t JOIN run_keys k USING (org_id, run_id);

DROP TABLE runs_unpartitioned, llm_calls_unpartitioned, tool_uses_unpartitioned;
