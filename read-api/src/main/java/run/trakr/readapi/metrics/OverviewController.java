package run.trakr.readapi.metrics;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import run.trakr.readapi.auth.Caller;
import run.trakr.readapi.rollup.AnswerVersions;
import run.trakr.readapi.conditional.ConditionalRequests;
import run.trakr.readapi.freshness.ProjectionFreshness;
import run.trakr.readapi.query.Formats;
import run.trakr.readapi.query.QueryParameters;
import run.trakr.readapi.query.RawHorizons;
import run.trakr.readapi.query.TimeWindow;
import run.trakr.readapi.rollup.RollupReader;
import run.trakr.schema.rollup.WorkflowTotals;

/** The org's totals over a window, beside the window just before it. */
@RestController
class OverviewController {

	private final RollupReader rollups;

	private final OverviewQueries queries;

	private final Clock clock;

	private final ProjectionFreshness freshness;

	private final AnswerVersions versions;

	private final RawHorizons horizons;

	OverviewController(RollupReader rollups, OverviewQueries queries, Clock clock, ProjectionFreshness freshness,
			AnswerVersions versions, RawHorizons horizons) {
		this.versions = versions;
		this.horizons = horizons;
		this.freshness = freshness;
		this.rollups = rollups;
		this.queries = queries;
		this.clock = clock;
	}

	@GetMapping("/api/metrics/overview")
	Overview overview(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, HttpServletRequest request,
			HttpServletResponse response) {
		QueryParameters parameters = QueryParameters.of(request);
		TimeWindow asked = TimeWindow.read(parameters, this.clock);
		parameters.validate();
		TimeWindow window = this.horizons.rounded(caller.orgId(), asked, response);
		// The period before the one asked for, rounded the same way (not in the header).
		TimeWindow previousWindow = (asked.previous() != null)
				? asked.previous().roundedToHoursBefore(this.horizons.of(caller.orgId())) : null;
		ProjectionFreshness.Freshness fresh = this.freshness.now();
		// The window and the period before it, the org's alerts, and the freshness shown.
		TimeWindow both = (previousWindow != null) ? new TimeWindow(previousWindow.from(), window.to()) : window;
		if (ConditionalRequests.notModified(request, window.from(), window.to(),
				this.versions.window(caller.orgId(), both), this.versions.org(caller.orgId()).alerts(),
				fresh.dataAsOf(), fresh.lagSeconds())) {
			return null;
		}
		Totals current = totals(caller, window);
		WorkflowTotals total = current.total();
		WorkflowTotals previous = new WorkflowTotals();
		if (previousWindow != null) {
			previous = totals(caller, previousWindow).total();
		}
		else {
			// Nothing is before year 1: an empty period at the window's start.
			previousWindow = new TimeWindow(window.from(), window.from());
		}
		OverviewQueries.AlertCounts alerts = this.queries.alertCounts(caller.orgId(), window);
		return new Overview(Formats.timestamp(window.from()), Formats.timestamp(window.to()), total.runCount(),
				total.runningCount(), total.completedCount(), total.failedCount(), total.errorRate(),
				Formats.money(total.costTotal()), Formats.averageMoney(total.costTotal(), total.runCount()),
				Formats.money(total.p95Cost()), total.avgDurationMs(), total.p95DurationMs(), total.totalTokens(),
				total.llmCallCount(), total.toolUseCount(), current.workflowCount(),
				new Overview.Alerts(alerts.fired(), alerts.unresolved()),
				new Overview.PreviousPeriod(Formats.timestamp(previousWindow.from()),
						Formats.timestamp(previousWindow.to()), previous.runCount(),
						Formats.money(previous.costTotal()), previous.errorRate()),
				Formats.timestamp(fresh.dataAsOf()),
				(fresh.lagSeconds() != null) ? new BigDecimal(fresh.lagSeconds()) : null);
	}

	/**
	 * The org's runs in the window, merged once for as long as the window holds the same
	 * runs: a refreshing dashboard's default window moves at every request, and merging
	 * every workflow's histograms again was most of the route's time.
	 */
	private Totals totals(Caller caller, TimeWindow window) {
		return this.rollups.byWorkflowDerived("overview totals", caller.orgId(), window, Totals::of,
				(totals) -> totals.total().weight());
	}

	/** The merged totals of a window and how many workflows they hold; never changed. */
	private record Totals(WorkflowTotals total, int workflowCount) {

		static Totals of(Map<String, WorkflowTotals> byWorkflow) {
			WorkflowTotals total = new WorkflowTotals();
			byWorkflow.values().forEach(total::merge);
			return new Totals(total, byWorkflow.size());
		}

	}

	/**
	 * The response of GET /api/metrics/overview; {@code dataAsOf} and
	 * {@code projectionLagSeconds} say what the freshness headers say, for a client (a
	 * Grafana panel) that cannot read headers.
	 */
	record Overview(String from, String to, long runCount, long runningCount, long completedCount, long failedCount,
			double errorRate, String totalCostUsd, String avgCostUsd, String p95CostUsd, long avgDurationMs,
			long p95DurationMs, long totalTokens, long llmCallCount, long toolUseCount, int workflowCount,
			Alerts alerts, PreviousPeriod previousPeriod, String dataAsOf, BigDecimal projectionLagSeconds) {

		record Alerts(long firedCount, long unresolvedCount) {
		}

		record PreviousPeriod(String from, String to, long runCount, String totalCostUsd, double errorRate) {
		}

	}

}
