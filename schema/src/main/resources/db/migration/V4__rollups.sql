-- Pre-aggregated buckets per workflow (and per workflow and tool) at 5-minute, hour and
-- day widths. A run counts, with all its calls and tools, in the buckets that contain its
-- started_at. Each row belongs to one shard (the Kafka partition whose projector owns it),
-- so that projector instances never write the same row; reads sum over shards.
--
-- Histograms use a fixed logarithmic bin mapping (relative accuracy 1%): *_bins holds the
-- bin indexes in ascending order, *_counts the count of each, *_zero the values equal to 0.
-- They merge by addition and retract by subtraction.

CREATE TABLE workflow_rollups (
    org_id              uuid            NOT NULL,
    workflow_name       text            NOT NULL,
    bucket_seconds      integer         NOT NULL CHECK (bucket_seconds IN (300, 3600, 86400)),
    bucket_start        timestamptz     NOT NULL,
    shard               integer         NOT NULL,
    run_count           bigint          NOT NULL DEFAULT 0,
    running_count       bigint          NOT NULL DEFAULT 0,
    success_count       bigint          NOT NULL DEFAULT 0,
    error_count         bigint          NOT NULL DEFAULT 0,
    loop_detected_count bigint          NOT NULL DEFAULT 0,
    timeout_count       bigint          NOT NULL DEFAULT 0,
    cost_total          numeric(38, 10) NOT NULL DEFAULT 0,
    -- over completed runs only
    duration_total_ms   bigint          NOT NULL DEFAULT 0,
    input_tokens        bigint          NOT NULL DEFAULT 0,
    output_tokens       bigint          NOT NULL DEFAULT 0,
    llm_call_count      bigint          NOT NULL DEFAULT 0,
    tool_use_count      bigint          NOT NULL DEFAULT 0,
    last_started_at     timestamptz,
    cost_zero           bigint          NOT NULL DEFAULT 0,
    cost_bins           integer[]       NOT NULL DEFAULT '{}',
    cost_counts         bigint[]        NOT NULL DEFAULT '{}',
    duration_zero       bigint          NOT NULL DEFAULT 0,
    duration_bins       integer[]       NOT NULL DEFAULT '{}',
    duration_counts     bigint[]        NOT NULL DEFAULT '{}',
    CONSTRAINT workflow_rollups_pk PRIMARY KEY (org_id, bucket_seconds, bucket_start, workflow_name, shard)
);

-- Per-workflow reads (stats, tools' parent check) scan one workflow's buckets in time order.
CREATE INDEX workflow_rollups_by_workflow ON workflow_rollups (org_id, workflow_name, bucket_seconds, bucket_start);

CREATE TABLE tool_rollups (
    org_id            uuid        NOT NULL,
    workflow_name     text        NOT NULL,
    tool_name         text        NOT NULL,
    bucket_seconds    integer     NOT NULL CHECK (bucket_seconds IN (300, 3600, 86400)),
    bucket_start      timestamptz NOT NULL,
    shard             integer     NOT NULL,
    use_count         bigint      NOT NULL DEFAULT 0,
    error_count       bigint      NOT NULL DEFAULT 0,
    duration_total_ms bigint      NOT NULL DEFAULT 0,
    -- runs that used the tool at least once
    run_count         bigint      NOT NULL DEFAULT 0,
    duration_zero     bigint      NOT NULL DEFAULT 0,
    duration_bins     integer[]   NOT NULL DEFAULT '{}',
    duration_counts   bigint[]    NOT NULL DEFAULT '{}',
    CONSTRAINT tool_rollups_pk PRIMARY KEY (org_id, workflow_name, bucket_seconds, bucket_start, tool_name, shard)
);
