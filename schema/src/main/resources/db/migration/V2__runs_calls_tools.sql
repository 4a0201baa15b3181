-- Run summaries and the LLM calls and tool uses behind them. A run row can exist before
-- its run_started event (an llm_call arrived first); it stays invisible to the read API
-- until started_at is known. Derived columns (cost, tokens, counts, duration) are kept
-- in step with the calls by the projector in the same transaction.

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
    CONSTRAINT runs_pk PRIMARY KEY (org_id, run_id)
);

-- GET /api/runs: the time window with the default sort, and keyset paging on (started_at, run_id).
CREATE INDEX runs_by_started_at ON runs (org_id, started_at, run_id) WHERE started_at IS NOT NULL;
-- workflow filters, workflow stats edges, and "did this org ever run that workflow".
CREATE INDEX runs_by_workflow ON runs (org_id, workflow_name, started_at, run_id) WHERE started_at IS NOT NULL;
-- status filters (alone or with a workflow).
CREATE INDEX runs_by_status ON runs (org_id, status, started_at, run_id) WHERE started_at IS NOT NULL;
-- cost and duration sorts.
CREATE INDEX runs_by_cost ON runs (org_id, cost_usd, run_id) WHERE started_at IS NOT NULL;
CREATE INDEX runs_by_duration ON runs (org_id, duration_ms, run_id) WHERE started_at IS NOT NULL;
-- child runs of a run, and descendants for combined cost.
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
    CONSTRAINT llm_calls_pk PRIMARY KEY (org_id, call_id)
);

CREATE INDEX llm_calls_by_run ON llm_calls (org_id, run_id, started_at);

CREATE TABLE tool_uses (
    org_id        uuid        NOT NULL,
    tool_event_id uuid        NOT NULL,
    run_id        uuid        NOT NULL,
    tool_name     text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('success', 'error')),
    duration_ms   bigint      NOT NULL,
    started_at    timestamptz NOT NULL,
    CONSTRAINT tool_uses_pk PRIMARY KEY (org_id, tool_event_id)
);

CREATE INDEX tool_uses_by_run ON tool_uses (org_id, run_id, started_at);
