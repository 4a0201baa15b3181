package run.trakr.readapi.workflow;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import run.trakr.readapi.auth.Caller;
import run.trakr.readapi.rollup.AnswerVersions;
import run.trakr.readapi.conditional.ConditionalRequests;
import run.trakr.readapi.query.Csv;
import run.trakr.readapi.query.Formats;
import run.trakr.readapi.query.QueryParameters;
import run.trakr.readapi.query.ResponseFormat;
import run.trakr.readapi.query.RawHorizons;
import run.trakr.readapi.query.TimeWindow;
import run.trakr.readapi.rollup.RollupReader;
import run.trakr.readapi.rollup.RollupReader.WindowRevisions;
import run.trakr.readapi.system.ApiException;
import run.trakr.readapi.system.ErrorCode;
import run.trakr.schema.rollup.ToolTotals;
import run.trakr.schema.rollup.WorkflowTotals;

/** Per-workflow aggregates over a window, from the rollups. */
@RestController
class WorkflowController {

	/**
	 * The four orders, on the exact values rather than their formatting; ties by name.
	 */
	private static final Map<String, Comparator<Listed>> SORTS = Map.of("total_cost_desc",
			Comparator.comparing(Listed::costTotal).reversed(), "run_count_desc",
			Comparator.comparingLong(Listed::runCount).reversed(), "error_rate_desc",
			Comparator.comparingDouble(Listed::errorRate).reversed(), "avg_latency_desc",
			Comparator.comparingLong(Listed::avgDurationMs).reversed());

	private static final List<String> SORT_NAMES = List.of("total_cost_desc", "run_count_desc", "error_rate_desc",
			"avg_latency_desc");

	/** More buckets than this in one series is a 400. */
	static final int MAX_BUCKETS = 2000;

	private final RollupReader rollups;

	private final AnswerVersions versions;

	private final Clock clock;

	private final JsonMapper json;

	private final RawHorizons horizons;

	WorkflowController(RollupReader rollups, AnswerVersions versions, Clock clock, JsonMapper json,
			RawHorizons horizons) {
		this.versions = versions;
		this.horizons = horizons;
		this.json = json;
		this.rollups = rollups;
		this.clock = clock;
	}

	/** Every workflow with runs in the window. */
	@GetMapping("/api/workflows")
	ResponseEntity<Map<String, List<WorkflowSummary>>> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
			HttpServletRequest request, HttpServletResponse response) {
		ResponseFormat format = ResponseFormat.negotiate(request, ResponseFormat.JSON, ResponseFormat.CSV);
		QueryParameters parameters = QueryParameters.of(request);
		TimeWindow window = TimeWindow.read(parameters, this.clock);
		String sort = parameters.oneOf("sort", SORT_NAMES, "total_cost_desc");
		parameters.validate();
		window = this.horizons.rounded(caller.orgId(), window, response);
		// Read once: the version decides a 304, and a 200 checks its cached values
		// against the same revisions.
		WindowRevisions revisions = this.rollups.revisions(caller.orgId(), window);
		if (ConditionalRequests.notModified(request, window.from(), window.to(), revisions.version())) {
			return null;
		}
		Comparator<Listed> order = SORTS.get(sort).thenComparing((listed) -> listed.summary().workflowName());
		List<WorkflowSummary> workflows = this.rollups
			.byWorkflowDerived("workflow summaries", revisions, Listed::of, Listed::weight)
			.stream()
			.sorted(order)
			.map(Listed::summary)
			.toList();
		return answer(format, Map.of("workflows", workflows), response, WorkflowSummary.class, workflows);
	}

	/** A UTC-aligned, zero-filled series and its summary for one workflow. */
	@GetMapping("/api/workflows/{name}/stats")
	ResponseEntity<WorkflowStats> stats(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String name,
			HttpServletRequest request, HttpServletResponse response) {
		ResponseFormat format = ResponseFormat.negotiate(request, ResponseFormat.JSON, ResponseFormat.CSV);
		QueryParameters parameters = QueryParameters.of(request);
		parameters.isText("name", name);
		TimeWindow window = TimeWindow.read(parameters, this.clock);
		String intervalName = parameters.oneOf("interval", SeriesInterval.NAMES, null);
		ZoneId zone = zone(parameters);
		parameters.validate();
		window = this.horizons.rounded(caller.orgId(), window, response);
		SeriesInterval interval = (intervalName != null) ? SeriesInterval.of(intervalName)
				: SeriesInterval.defaultFor(window);
		long buckets = interval.bucketsOverlapping(window);
		if (buckets > MAX_BUCKETS) {
			throw QueryParameters.invalid("interval",
					"gives " + buckets + " buckets for this window; at most " + MAX_BUCKETS + " are allowed");
		}
		if (unchanged(caller, window, request)) {
			return null;
		}
		requireWorkflow(caller, name);
		boolean utc = zone.normalized().equals(ZoneOffset.UTC);
		RollupReader.Series<WorkflowStats.Point> series = utc
				? this.rollups.series("stats", caller.orgId(), name, window, interval.seconds(),
						(start, aggregate) -> WorkflowStats.Point.of(Formats.timestamp(start), aggregate),
						WorkflowStats.Point::weight)
				: this.rollups.series("stats", caller.orgId(), name, window, interval.unit(), zone,
						(start, aggregate) -> WorkflowStats.Point.of(Formats.timestamp(start, zone), aggregate),
						WorkflowStats.Point::weight);
		List<WorkflowStats.Point> points = series.points();
		WorkflowStats stats = new WorkflowStats(name, Formats.timestamp(window.from()), Formats.timestamp(window.to()),
				interval.parameter(), WorkflowSummary.of(name, series.total()), points);
		return answer(format, stats, response, WorkflowStats.Point.class, points);
	}

	/** Which tools the workflow's runs used in the window, most used first. */
	@GetMapping("/api/workflows/{name}/tools")
	ResponseEntity<WorkflowTools> tools(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String name,
			HttpServletRequest request, HttpServletResponse response) {
		ResponseFormat format = ResponseFormat.negotiate(request, ResponseFormat.JSON, ResponseFormat.CSV);
		QueryParameters parameters = QueryParameters.of(request);
		parameters.isText("name", name);
		TimeWindow window = TimeWindow.read(parameters, this.clock);
		parameters.validate();
		window = this.horizons.rounded(caller.orgId(), window, response);
		if (unchanged(caller, window, request)) {
			return null;
		}
		requireWorkflow(caller, name);
		Map<String, ToolTotals> tools = this.rollups.tools(caller.orgId(), name, window);
		long allUses = tools.values().stream().mapToLong(ToolTotals::useCount).sum();
		List<WorkflowTools.Tool> rows = new ArrayList<>();
		tools.forEach((tool, aggregate) -> rows.add(WorkflowTools.Tool.of(tool, aggregate, allUses)));
		rows.sort(Comparator.comparingLong(WorkflowTools.Tool::callCount)
			.reversed()
			.thenComparing(WorkflowTools.Tool::toolName));
		return answer(format,
				new WorkflowTools(name, Formats.timestamp(window.from()), Formats.timestamp(window.to()), rows),
				response, WorkflowTools.Tool.class, rows);
	}

	/**
	 * The JSON body, or its rows as CSV written here (the stats' series, the tools, the
	 * workflows), for which Spring then writes nothing.
	 */
	private <T, R extends Record> ResponseEntity<T> answer(ResponseFormat format, T body, HttpServletResponse response,
			Class<R> rowType, List<R> rows) {
		if (format != ResponseFormat.CSV) {
			return ResponseEntity.ok(body);
		}
		response.setContentType(format.mediaType() + ";charset=UTF-8");
		try {
			Writer out = new BufferedWriter(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8));
			Csv.write(out, rowType, rows, this.json);
			out.flush();
		}
		catch (IOException ex) {
			// The client went away; nothing is left to do.
		}
		return null;
	}

	/**
	 * {@code tz}: the zone whose hours and days the series' buckets follow (extensions.md
	 * §3); UTC when absent.
	 */
	private static ZoneId zone(QueryParameters parameters) {
		String tz = parameters.single("tz");
		// Grafana names UTC in lower case.
		if (tz == null || tz.equalsIgnoreCase("utc")) {
			return ZoneOffset.UTC;
		}
		try {
			// An unencoded '+' (Etc/GMT+5) arrives as a space.
			return ZoneId.of(tz.replace(' ', '+').trim());
		}
		catch (DateTimeException ex) {
			parameters.problem("tz", "must be an IANA time zone name, e.g. Europe/Berlin or America/St_Johns");
			return ZoneOffset.UTC;
		}
	}

	/**
	 * A 304 decided from the window's version, before anything is computed: each answer
	 * here is a function of the runs started in the window. (A 200 at this version proved
	 * the workflow exists, and workflows are never removed.)
	 */
	private boolean unchanged(Caller caller, TimeWindow window, HttpServletRequest request) {
		return ConditionalRequests.notModified(request, window.from(), window.to(),
				this.versions.window(caller.orgId(), window));
	}

	/** Another org's workflow is as missing as one that never ran. */
	private void requireWorkflow(Caller caller, String name) {
		if (!this.rollups.workflowExists(caller.orgId(), name)) {
			throw new ApiException(ErrorCode.NOT_FOUND);
		}
	}

	/** A workflow's summary with the exact values it can be sorted by. */
	private record Listed(WorkflowSummary summary, BigDecimal costTotal, long runCount, double errorRate,
			long avgDurationMs) {

		static List<Listed> of(Map<String, WorkflowTotals> aggregates) {
			List<Listed> listed = new ArrayList<>(aggregates.size());
			aggregates.forEach((name, aggregate) -> listed.add(new Listed(WorkflowSummary.of(name, aggregate),
					aggregate.costTotal(), aggregate.runCount(), aggregate.errorRate(), aggregate.avgDurationMs())));
			return listed;
		}

		/** In the cache's unit (16-byte histogram bins): about 400 bytes a workflow. */
		static int weight(List<Listed> listed) {
			return 1 + 25 * listed.size();
		}

	}

	/** The bucket widths of a stats series. */
	enum SeriesInterval {

		MINUTE(60, ChronoUnit.MINUTES), HOUR(3600, ChronoUnit.HOURS), DAY(86400, ChronoUnit.DAYS);

		static final List<String> NAMES = List.of("minute", "hour", "day");

		private final int seconds;

		private final ChronoUnit unit;

		SeriesInterval(int seconds, ChronoUnit unit) {
			this.seconds = seconds;
			this.unit = unit;
		}

		ChronoUnit unit() {
			return this.unit;
		}

		int seconds() {
			return this.seconds;
		}

		String parameter() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

		static SeriesInterval of(String parameter) {
			return valueOf(parameter.toUpperCase(java.util.Locale.ROOT));
		}

		/** Hourly for windows up to 72 hours, daily beyond. */
		static SeriesInterval defaultFor(TimeWindow window) {
			return Duration.between(window.from(), window.to()).compareTo(Duration.ofHours(72)) <= 0 ? HOUR : DAY;
		}

		long bucketsOverlapping(TimeWindow window) {
			long first = Math.floorDiv(window.from().getEpochSecond(), this.seconds);
			long last = Math.floorDiv(window.to().getEpochSecond(), this.seconds);
			return last - first + 1;
		}

	}

}
