package run.trakr.readapi.alert;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import run.trakr.readapi.auth.Caller;
import run.trakr.readapi.rollup.AnswerVersions;
import run.trakr.readapi.conditional.ConditionalRequests;
import run.trakr.readapi.query.Cursors;
import run.trakr.readapi.query.Paging;
import run.trakr.readapi.query.QueryParameters;
import run.trakr.readapi.query.TimeWindow;

/** The org's fired alerts, newest first, paged by cursor. */
@RestController
class AlertController {

	private final AlertQueries alerts;

	private final Cursors cursors;

	private final Clock clock;

	private final AnswerVersions versions;

	AlertController(AlertQueries alerts, Cursors cursors, Clock clock, AnswerVersions versions) {
		this.versions = versions;
		this.alerts = alerts;
		this.cursors = cursors;
		this.clock = clock;
	}

	@GetMapping("/api/alert-events")
	AlertPage list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, HttpServletRequest request) {
		QueryParameters parameters = QueryParameters.of(request);
		String ruleId = parameters.single("rule_id");
		Boolean resolved = parameters.bool("resolved");
		TimeWindow window = TimeWindow.read(parameters, this.clock);
		// The instants, not their spelling: epoch milliseconds and ISO 8601 are one
		// query.
		String explicitFrom = parameters.has("from") ? window.from().toString() : null;
		String explicitTo = parameters.has("to") ? window.to().toString() : null;
		int limit = parameters.integer("limit", 1, 100, 50);
		String cursor = parameters.single("cursor");
		parameters.validate();

		// No rule and the rule "null" are two filters: the absent one adds no part.
		Paging paging = new Paging(this.cursors, caller.orgId(),
				Cursors.fingerprint("alert-events", (ruleId != null) ? List.of(ruleId) : List.of(),
						String.valueOf(resolved), String.valueOf(explicitFrom), String.valueOf(explicitTo)));
		Paging.Start<AlertQueries.AlertPosition> start = paging.start(cursor, window, 2, AlertController::position);
		AlertQueries.AlertFilter filter = new AlertQueries.AlertFilter(start.window(), ruleId, resolved);
		if (ConditionalRequests.notModified(request, filter.window().from(), filter.window().to(),
				this.versions.org(caller.orgId()).alerts())) {
			return null;
		}
		Paging.Page<AlertQueries.Listed> page = paging.page(filter.window(),
				this.alerts.page(caller.orgId(), filter, start.after(), limit + 1), limit,
				(last) -> List.of(last.position().firedAt().toString(), last.position().id().toString()));
		return new AlertPage(page.rows().stream().map(AlertQueries.Listed::event).toList(), page.nextCursor());
	}

	/** A cursor's position: when the last alert fired and its id. */
	private static AlertQueries.AlertPosition position(List<String> values) {
		QueryParameters position = QueryParameters.ofValues(Map.of("fired_at", String.valueOf(values.get(0))));
		Instant firedAt = position.instant("fired_at");
		UUID id = position.parseUuid("id", String.valueOf(values.get(1)));
		if (position.hasProblems()) {
			throw Cursors.invalid();
		}
		return new AlertQueries.AlertPosition(firedAt, id);
	}

	/** The response of GET /api/alert-events. */
	record AlertPage(List<AlertEvent> alertEvents, String nextCursor) {
	}

}
