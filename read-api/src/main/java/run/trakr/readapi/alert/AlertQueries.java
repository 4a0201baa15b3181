package run.trakr.readapi.alert;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Records;

import org.springframework.stereotype.Component;

import run.trakr.readapi.query.Formats;
import run.trakr.readapi.query.TimeWindow;

import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.row;
import static run.trakr.schema.jooq.Tables.ALERT_EVENTS;

/** The statements behind GET /api/alert-events. */
@Component
class AlertQueries {

	/** Which alert events a page lists. */
	record AlertFilter(TimeWindow window, String ruleId, Boolean resolved) {
	}

	/** Where a page of alerts (newest first) continues: after this one. */
	record AlertPosition(Instant firedAt, UUID id) {
	}

	/** One listed alert event, and where it stands in the order. */
	record Listed(AlertEvent event, AlertPosition position) {
	}

	private final DSLContext db;

	AlertQueries(DSLContext db) {
		this.db = db;
	}

	/**
	 * Up to {@code limit} events (newest first) after {@code after} (null: from the
	 * first).
	 */
	List<Listed> page(UUID orgId, AlertFilter filter, AlertPosition after, int limit) {
		Condition matching = ALERT_EVENTS.ORG_ID.eq(orgId)
			.and(ALERT_EVENTS.FIRED_AT.between(utc(filter.window().from()), utc(filter.window().to())))
			.and((filter.ruleId() != null) ? ALERT_EVENTS.ALERT_RULE_ID.eq(filter.ruleId()) : noCondition())
			.and((filter.resolved() == null) ? noCondition()
					: filter.resolved() ? ALERT_EVENTS.RESOLVED_AT.isNotNull() : ALERT_EVENTS.RESOLVED_AT.isNull());
		Condition afterPosition = (after != null)
				? row(ALERT_EVENTS.FIRED_AT, ALERT_EVENTS.ALERT_EVENT_ID).lt(utc(after.firedAt()), after.id())
				: noCondition();
		return this.db
			.select(ALERT_EVENTS.ALERT_EVENT_ID, ALERT_EVENTS.ALERT_RULE_ID, ALERT_EVENTS.ALERT_RULE_NAME,
					ALERT_EVENTS.RUN_ID, ALERT_EVENTS.WORKFLOW_NAME, ALERT_EVENTS.TRIGGERED_VALUE,
					ALERT_EVENTS.THRESHOLD_VALUE, ALERT_EVENTS.NOTIFICATION_SENT, ALERT_EVENTS.RESOLVED_AT,
					ALERT_EVENTS.FIRED_AT)
			.from(ALERT_EVENTS)
			.where(matching)
			.and(afterPosition)
			.orderBy(ALERT_EVENTS.FIRED_AT.desc(), ALERT_EVENTS.ALERT_EVENT_ID.desc())
			.limit(limit)
			.fetch(Records.mapping((id, ruleId, ruleName, runId, workflow, triggered, threshold, notified, resolvedAt,
					firedAt) -> new Listed(
							new AlertEvent(id.toString(), ruleId, ruleName, (runId != null) ? runId.toString() : null,
									workflow, triggered, threshold, Boolean.TRUE.equals(notified),
									Formats.timestamp(resolvedAt), Formats.timestamp(firedAt)),
							new AlertPosition(firedAt.toInstant(), id))));
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

}
