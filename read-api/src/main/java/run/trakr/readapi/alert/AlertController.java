package run.trakr.readapi.alert;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import run.trakr.readapi.auth.Caller;
import run.trakr.readapi.query.Cursors;
import run.trakr.readapi.query.Formats;
import run.trakr.readapi.query.QueryParameters;
import run.trakr.readapi.query.TimeWindow;

import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.row;
import static run.trakr.schema.jooq.Tables.ALERT_EVENTS;

/** The org's fired alerts, newest first, paged by cursor. */
@RestController
class AlertController {

	private final DSLContext db;

	private final Cursors cursors;

	private final Clock clock;

	AlertController(DSLContext db, Cursors cursors, Clock clock) {
		this.db = db;
		this.cursors = cursors;
		this.clock = clock;
	}

	@GetMapping("/api/alert-events")
	AlertPage list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, HttpServletRequest request) {
		QueryParameters parameters = QueryParameters.of(request);
		String ruleId = parameters.single("rule_id");
		Boolean resolved = parameters.bool("resolved");
		String explicitFrom = parameters.single("from");
		String explicitTo = parameters.single("to");
		TimeWindow window = TimeWindow.read(parameters, this.clock);
		int limit = parameters.integer("limit", 1, 100, 50);
		String cursor = parameters.single("cursor");
		parameters.validate();

		// No rule and the rule "null" are two filters: the absent one adds no part.
		String fingerprint = Cursors.fingerprint("alert-events", (ruleId != null) ? List.of(ruleId) : List.of(),
				String.valueOf(resolved), String.valueOf(explicitFrom), String.valueOf(explicitTo));
		Condition after = noCondition();
		if (cursor != null) {
			// As for runs: the cursor keeps the first page's window.
			List<String> values = this.cursors.decode(cursor, caller.orgId(), fingerprint, 4);
			try {
				window = Cursors.window(values.get(0), values.get(1));
				QueryParameters position = QueryParameters.ofValues(Map.of("fired_at", String.valueOf(values.get(2))));
				Instant firedAt = position.instant("fired_at");
				UUID id = position.parseUuid("id", String.valueOf(values.get(3)));
				if (position.hasProblems()) {
					throw Cursors.invalid();
				}
				after = row(ALERT_EVENTS.FIRED_AT, ALERT_EVENTS.ALERT_EVENT_ID).lt(utc(firedAt), id);
			}
			catch (RuntimeException ex) {
				throw Cursors.invalid();
			}
		}
		Condition matching = ALERT_EVENTS.ORG_ID.eq(caller.orgId())
			.and(ALERT_EVENTS.FIRED_AT.between(utc(window.from()), utc(window.to())))
			.and((ruleId != null) ? ALERT_EVENTS.ALERT_RULE_ID.eq(ruleId) : noCondition())
			.and((resolved == null) ? noCondition()
					: resolved ? ALERT_EVENTS.RESOLVED_AT.isNotNull() : ALERT_EVENTS.RESOLVED_AT.isNull());
		List<? extends Record> rows = this.db
			.select(ALERT_EVENTS.ALERT_EVENT_ID, ALERT_EVENTS.ALERT_RULE_ID, ALERT_EVENTS.ALERT_RULE_NAME,
					ALERT_EVENTS.RUN_ID, ALERT_EVENTS.WORKFLOW_NAME, ALERT_EVENTS.TRIGGERED_VALUE,
					ALERT_EVENTS.THRESHOLD_VALUE, ALERT_EVENTS.NOTIFICATION_SENT, ALERT_EVENTS.RESOLVED_AT,
					ALERT_EVENTS.FIRED_AT)
			.from(ALERT_EVENTS)
			.where(matching)
			.and(after)
			.orderBy(ALERT_EVENTS.FIRED_AT.desc(), ALERT_EVENTS.ALERT_EVENT_ID.desc())
			.limit(limit + 1)
			.fetch();
		boolean more = rows.size() > limit;
		List<? extends Record> page = more ? rows.subList(0, limit) : rows;
		String next = null;
		if (more) {
			Record last = page.get(page.size() - 1);
			next = this.cursors.encode(caller.orgId(), fingerprint,
					List.of(window.from().toString(), window.to().toString(),
							last.get(ALERT_EVENTS.FIRED_AT).toInstant().toString(),
							last.get(ALERT_EVENTS.ALERT_EVENT_ID).toString()));
		}
		return new AlertPage(page.stream().map(AlertController::event).toList(), next);
	}

	private static AlertEvent event(Record row) {
		UUID runId = row.get(ALERT_EVENTS.RUN_ID);
		return new AlertEvent(row.get(ALERT_EVENTS.ALERT_EVENT_ID).toString(), row.get(ALERT_EVENTS.ALERT_RULE_ID),
				row.get(ALERT_EVENTS.ALERT_RULE_NAME), (runId != null) ? runId.toString() : null,
				row.get(ALERT_EVENTS.WORKFLOW_NAME), row.get(ALERT_EVENTS.TRIGGERED_VALUE),
				row.get(ALERT_EVENTS.THRESHOLD_VALUE), Boolean.TRUE.equals(row.get(ALERT_EVENTS.NOTIFICATION_SENT)),
				Formats.timestamp(row.get(ALERT_EVENTS.RESOLVED_AT)),
				Formats.timestamp(row.get(ALERT_EVENTS.FIRED_AT)));
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	/** The response of GET /api/alert-events. */
	record AlertPage(List<AlertEvent> alertEvents, String nextCursor) {
	}

}
