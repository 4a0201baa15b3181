-- Fired alerts. An alert_resolved can arrive before its alert_fired; the row then waits
-- with fired_at null and is invisible to the read API until the firing is known.

CREATE TABLE alert_events (
    org_id            uuid        NOT NULL,
    alert_event_id    uuid        NOT NULL,
    alert_rule_id     text,
    alert_rule_name   text,
    run_id            uuid,
    workflow_name     text,
    triggered_value   numeric,
    threshold_value   numeric,
    notification_sent boolean,
    fired_at          timestamptz,
    resolved_at       timestamptz,
    CONSTRAINT alert_events_pk PRIMARY KEY (org_id, alert_event_id)
);

-- GET /api/alert-events: newest first by fired_at, ties on id.
CREATE INDEX alert_events_by_fired_at ON alert_events (org_id, fired_at, alert_event_id) WHERE fired_at IS NOT NULL;
CREATE INDEX alert_events_by_rule ON alert_events (org_id, alert_rule_id, fired_at, alert_event_id) WHERE fired_at IS NOT NULL;
-- The five latest alerts of a run, on run detail.
CREATE INDEX alert_events_by_run ON alert_events (org_id, run_id, fired_at) WHERE run_id IS NOT NULL;
-- The overview's count of currently unresolved alerts.
CREATE INDEX alert_events_unresolved ON alert_events (org_id) WHERE resolved_at IS NULL AND fired_at IS NOT NULL;
