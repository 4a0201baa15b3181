package run.trakr.readapi.run;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jooq.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import run.trakr.readapi.auth.Caller;
import run.trakr.readapi.auth.Plan;
import run.trakr.readapi.rollup.AnswerVersions;
import run.trakr.readapi.conditional.ConditionalRequests;
import run.trakr.readapi.query.Cursors;
import run.trakr.readapi.query.Formats;
import run.trakr.readapi.query.Paging;
import run.trakr.readapi.query.QueryParameters;
import run.trakr.readapi.query.ResponseFormat;
import run.trakr.readapi.query.TimeWindow;
import run.trakr.readapi.system.ApiException;
import run.trakr.readapi.system.ErrorCode;
import run.trakr.schema.RunStatus;

import static run.trakr.schema.jooq.Tables.RUNS;

/** The run routes: list, detail and compare. */
@RestController
class RunController {

	private static final Logger log = LoggerFactory.getLogger(RunController.class);

	static final List<String> STATUSES = RunStatus.storedValues();

	private final RunQueries runs;

	private final Cursors cursors;

	private final Clock clock;

	private final RunExport export;

	private final AnswerVersions versions;

	RunController(RunQueries runs, Cursors cursors, Clock clock, RunExport export, AnswerVersions versions) {
		this.versions = versions;
		this.export = export;
		this.runs = runs;
		this.cursors = cursors;
		this.clock = clock;
	}

	/**
	 * Lists runs, newest first by default, with an exact total count; or, asked for
	 * NDJSON or CSV, streams every matching run (no limit, no cursor).
	 */
	@GetMapping("/api/runs")
	ResponseEntity<RunPage> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, HttpServletRequest request,
			HttpServletResponse response) {
		ResponseFormat format = ResponseFormat.negotiate(request, ResponseFormat.JSON, ResponseFormat.NDJSON,
				ResponseFormat.CSV);
		QueryParameters parameters = QueryParameters.of(request);
		if (format != ResponseFormat.JSON) {
			for (String paging : List.of("limit", "cursor")) {
				if (parameters.has(paging)) {
					parameters.problem(paging, "is not used by an export, which streams every matching run");
				}
			}
		}
		List<String> workflows = parameters.repeated("workflow");
		List<String> statuses = parameters.repeatedOneOf("status", STATUSES);
		TimeWindow window = TimeWindow.read(parameters, this.clock);
		// The instants, not their spelling: epoch milliseconds and ISO 8601 are one
		// query.
		String explicitFrom = parameters.has("from") ? window.from().toString() : null;
		String explicitTo = parameters.has("to") ? window.to().toString() : null;
		BigDecimal costMin = parameters.money("cost_min");
		BigDecimal costMax = parameters.money("cost_max");
		if (costMin != null && costMax != null && costMin.compareTo(costMax) > 0) {
			parameters.problem("cost_min", "must not be greater than cost_max");
		}
		RunSort sort = RunSort.of(parameters.oneOf("sort", RunSort.NAMES, "started_at_desc"));
		int limit = parameters.integer("limit", 1, 100, 50);
		String cursor = parameters.single("cursor");
		parameters.validate();

		RunFilter firstPage = new RunFilter(workflows, statuses, window, costMin, costMax, sort);
		if (format != ResponseFormat.JSON) {
			export(caller, firstPage, format, request, response);
			return null;
		}
		Paging paging = new Paging(this.cursors, caller.orgId(), firstPage.fingerprint(explicitFrom, explicitTo));
		Paging.Start<RunPosition> start = paging.start(cursor, window, 2,
				(position) -> RunPosition.parse(sort, position.get(0), position.get(1)));
		RunFilter filter = new RunFilter(workflows, statuses, start.window(), costMin, costMax, sort);
		// The page holds runs started in the window; the cursor is in the request.
		if (ConditionalRequests.notModified(request, filter.window().from(), filter.window().to(),
				this.versions.window(caller.orgId(), filter.window()))) {
			return null;
		}
		RunQueries.PageAndTotal result = this.runs.pageAndTotal(caller.orgId(), filter, start.after(), limit);
		Paging.Page<Record> page = paging.page(filter.window(), result.rows(), limit,
				(last) -> RunPosition.of(last).values(sort));
		return ResponseEntity
			.ok(new RunPage(page.rows().stream().map(RunSummary::of).toList(), page.nextCursor(), result.totalCount()));
	}

	/**
	 * Streams the export; a client that goes away ends it (and frees its cursor) at once.
	 */
	private void export(Caller caller, RunFilter filter, ResponseFormat format, HttpServletRequest request,
			HttpServletResponse response) {
		ConditionalRequests.stream(request);
		response.setContentType(format.mediaType() + ";charset=UTF-8");
		try {
			this.export.write(caller.orgId(), filter, format, response.getOutputStream());
		}
		catch (IOException ex) {
			log.debug("Export ended by the client: {}", ex.getMessage());
		}
	}

	/**
	 * One run with its calls, tool uses, children, descendants' cost and latest alerts.
	 */
	@GetMapping("/api/runs/{runId}")
	RunDetail detail(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String runId,
			HttpServletRequest request) {
		QueryParameters parameters = new QueryParameters(Map.of());
		UUID id = parameters.parseUuid("runId", runId);
		parameters.validate();
		// Descendants can start at any time: the org's revisions, not a window's.
		AnswerVersions.Org version = this.versions.org(caller.orgId());
		if (ConditionalRequests.notModified(request, version.runs(), version.alerts())) {
			return null;
		}
		Record run = this.runs.run(caller.orgId(), id);
		if (run == null) {
			throw new ApiException(ErrorCode.NOT_FOUND);
		}
		RunQueries.Family family = this.runs.family(caller.orgId(), id);
		List<RunSummary> children = family.children();
		BigDecimal combined = run.get(RUNS.COST_USD).add(family.descendantsCost());
		UUID parent = run.get(RUNS.PARENT_RUN_ID);
		return new RunDetail(
				new RunDetail.Run(RunSummary.of(run), (parent != null) ? parent.toString() : null,
						run.get(RUNS.INPUT_TOKENS), run.get(RUNS.OUTPUT_TOKENS),
						this.runs.llmCalls(caller.orgId(), id, run.get(RUNS.EXPIRES_ON)),
						this.runs.toolEvents(caller.orgId(), id, run.get(RUNS.EXPIRES_ON))),
				children, children.size(), Formats.money(combined), this.runs.latestAlerts(caller.orgId(), id));
	}

	/** Two runs of one workflow side by side (Pro and Scale plans). */
	@GetMapping("/api/runs/compare")
	RunComparison compare(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, HttpServletRequest request) {
		if (caller.plan() == Plan.STARTER) {
			throw new ApiException(ErrorCode.PLAN_UPGRADE_REQUIRED);
		}
		QueryParameters parameters = QueryParameters.of(request);
		UUID a = parameters.uuid("run_a");
		UUID b = parameters.uuid("run_b");
		parameters.validate();
		if (ConditionalRequests.notModified(request, this.versions.org(caller.orgId()).runs())) {
			return null;
		}
		Record runA = this.runs.run(caller.orgId(), a);
		Record runB = this.runs.run(caller.orgId(), b);
		if (runA == null || runB == null) {
			throw new ApiException(ErrorCode.NOT_FOUND);
		}
		if (!runA.get(RUNS.WORKFLOW_NAME).equals(runB.get(RUNS.WORKFLOW_NAME))) {
			throw QueryParameters.invalid("run_b", "must be a run of the same workflow as run_a");
		}
		Long durationA = runA.get(RUNS.DURATION_MS);
		Long durationB = runB.get(RUNS.DURATION_MS);
		RunComparison.Diff diff = new RunComparison.Diff(
				Formats.money(runB.get(RUNS.COST_USD).subtract(runA.get(RUNS.COST_USD))),
				runB.get(RUNS.TOTAL_TOKENS) - runA.get(RUNS.TOTAL_TOKENS),
				(durationA != null && durationB != null) ? durationB - durationA : null,
				runB.get(RUNS.LLM_CALL_COUNT) - runA.get(RUNS.LLM_CALL_COUNT),
				runB.get(RUNS.TOOL_USE_COUNT) - runA.get(RUNS.TOOL_USE_COUNT));
		return new RunComparison(side(caller, runA, a), side(caller, runB, b), diff);
	}

	private RunComparison.Side side(Caller caller, Record run, UUID id) {
		return new RunComparison.Side(RunSummary.of(run),
				this.runs.models(caller.orgId(), id, run.get(RUNS.EXPIRES_ON)),
				this.runs.tools(caller.orgId(), id, run.get(RUNS.EXPIRES_ON)));
	}

	/** The response of GET /api/runs. */
	record RunPage(List<RunSummary> runs, String nextCursor, long totalCount) {
	}

}
