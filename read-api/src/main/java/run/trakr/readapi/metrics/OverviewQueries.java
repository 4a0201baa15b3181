package run.trakr.readapi.metrics;

import java.time.ZoneOffset;
import java.util.UUID;

import org.jooq.DSLContext;

import org.springframework.stereotype.Component;

import run.trakr.readapi.query.TimeWindow;

import static run.trakr.schema.jooq.Tables.ALERT_EVENTS;

/** The statements of the overview besides the rollups: its alert counts. */
@Component
class OverviewQueries {

	/** Alerts fired in the window, and all alerts unresolved now. */
	record AlertCounts(int fired, int unresolved) {
	}

	private final DSLContext db;

	OverviewQueries(DSLContext db) {
		this.db = db;
	}

	AlertCounts alertCounts(UUID orgId, TimeWindow window) {
		int fired = this.db.fetchCount(ALERT_EVENTS,
				ALERT_EVENTS.ORG_ID.eq(orgId)
					.and(ALERT_EVENTS.FIRED_AT.between(window.from().atOffset(ZoneOffset.UTC),
							window.to().atOffset(ZoneOffset.UTC))));
		int unresolved = this.db.fetchCount(ALERT_EVENTS,
				ALERT_EVENTS.ORG_ID.eq(orgId)
					.and(ALERT_EVENTS.FIRED_AT.isNotNull())
					.and(ALERT_EVENTS.RESOLVED_AT.isNull()));
		return new AlertCounts(fired, unresolved);
	}

}
