package run.trakr.projector.alert;

import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import org.springframework.stereotype.Component;

import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.AlertFired;
import run.trakr.schema.event.IngestEvent.AlertResolved;

import static run.trakr.schema.jooq.Tables.ALERT_EVENTS;

/**
 * Alert rows. The first {@code alert_fired} and the first {@code alert_resolved} of an
 * alert event win, in either order: a resolution that arrives first waits in a row with
 * no firing, invisible to the read API until the firing arrives.
 */
@Component
public class AlertProjection {

	private record AlertKey(UUID orgId, UUID alertEventId) {
	}

	private final DSLContext db;

	AlertProjection(DSLContext db) {
		this.db = db;
	}

	public void apply(List<IngestEvent> events) {
		Map<AlertKey, AlertFired> fired = new LinkedHashMap<>();
		Map<AlertKey, AlertResolved> resolved = new LinkedHashMap<>();
		for (IngestEvent event : events) {
			if (event instanceof AlertFired alert) {
				fired.putIfAbsent(new AlertKey(alert.envelope().orgId(), alert.alertEventId()), alert);
			}
			else if (event instanceof AlertResolved alert) {
				resolved.putIfAbsent(new AlertKey(alert.envelope().orgId(), alert.alertEventId()), alert);
			}
		}
		if (!fired.isEmpty()) {
			var insert = this.db.insertInto(ALERT_EVENTS, ALERT_EVENTS.ORG_ID, ALERT_EVENTS.ALERT_EVENT_ID,
					ALERT_EVENTS.ALERT_RULE_ID, ALERT_EVENTS.ALERT_RULE_NAME, ALERT_EVENTS.RUN_ID,
					ALERT_EVENTS.WORKFLOW_NAME, ALERT_EVENTS.TRIGGERED_VALUE, ALERT_EVENTS.THRESHOLD_VALUE,
					ALERT_EVENTS.NOTIFICATION_SENT, ALERT_EVENTS.FIRED_AT);
			for (AlertFired alert : fired.values()) {
				insert = insert.values(alert.envelope().orgId(), alert.alertEventId(), alert.alertRuleId(),
						alert.alertRuleName(), alert.runId().orElse(null), alert.workflowName().orElse(null),
						alert.triggeredValue(), alert.thresholdValue(), alert.notificationSent(),
						alert.firedAt().atOffset(ZoneOffset.UTC));
			}
			insert.onConflict(ALERT_EVENTS.ORG_ID, ALERT_EVENTS.ALERT_EVENT_ID)
				.doUpdate()
				.set(ALERT_EVENTS.ALERT_RULE_ID, DSL.excluded(ALERT_EVENTS.ALERT_RULE_ID))
				.set(ALERT_EVENTS.ALERT_RULE_NAME, DSL.excluded(ALERT_EVENTS.ALERT_RULE_NAME))
				.set(ALERT_EVENTS.RUN_ID, DSL.excluded(ALERT_EVENTS.RUN_ID))
				.set(ALERT_EVENTS.WORKFLOW_NAME, DSL.excluded(ALERT_EVENTS.WORKFLOW_NAME))
				.set(ALERT_EVENTS.TRIGGERED_VALUE, DSL.excluded(ALERT_EVENTS.TRIGGERED_VALUE))
				.set(ALERT_EVENTS.THRESHOLD_VALUE, DSL.excluded(ALERT_EVENTS.THRESHOLD_VALUE))
				.set(ALERT_EVENTS.NOTIFICATION_SENT, DSL.excluded(ALERT_EVENTS.NOTIFICATION_SENT))
				.set(ALERT_EVENTS.FIRED_AT, DSL.excluded(ALERT_EVENTS.FIRED_AT))
				.where(ALERT_EVENTS.FIRED_AT.isNull())
				.execute();
		}
		if (!resolved.isEmpty()) {
			var insert = this.db.insertInto(ALERT_EVENTS, ALERT_EVENTS.ORG_ID, ALERT_EVENTS.ALERT_EVENT_ID,
					ALERT_EVENTS.RESOLVED_AT);
			for (AlertResolved alert : resolved.values()) {
				insert = insert.values(alert.envelope().orgId(), alert.alertEventId(),
						alert.resolvedAt().atOffset(ZoneOffset.UTC));
			}
			insert.onConflict(ALERT_EVENTS.ORG_ID, ALERT_EVENTS.ALERT_EVENT_ID)
				.doUpdate()
				.set(ALERT_EVENTS.RESOLVED_AT, DSL.excluded(ALERT_EVENTS.RESOLVED_AT))
				.where(ALERT_EVENTS.RESOLVED_AT.isNull())
				.execute();
		}
	}

}
