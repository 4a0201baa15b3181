package run.trakr.endtoend;

import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.schematest.support.IngestPopulation;
import run.trakr.schematest.support.IngestPopulation.ExpectedAlert;
import run.trakr.schematest.support.IngestPopulation.ExpectedRun;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.endtoend.Expectations.assertWithinOnePercent;
import static run.trakr.endtoend.Expectations.money;
import static run.trakr.endtoend.Expectations.p95;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;

/**
 * Generated events go through Kafka and the real projector; every route's every field is
 * then checked against values computed from the generated facts alone.
 */
@ExtendWith(LocalStackExtension.class)
class ReadApiEndToEndIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Covers the generated week; neither end is aligned to any bucket. */
	private static final Instant FROM = Instant.parse("2026-11-21T03:17:42.123Z");

	private static final Instant TO = Instant.parse("2026-11-25T19:03:11.456Z");

	private static final List<String> SORTS = List.of("started_at_desc", "started_at_asc", "cost_desc", "cost_asc",
			"duration_desc", "duration_asc");

	static IngestPopulation population;

	static Expectations expected;

	static ReadApiInstance api;

	static ProjectorProcess projector;

	static UUID proOrg;

	static UUID starterOrg;

	static String proToken;

	static String starterToken;

	@BeforeAll
	static void projectAGeneratedPopulation(LocalStack stack) throws Exception {
		population = IngestPopulation.generate(20261128L, 300);
		expected = new Expectations(population);
		proOrg = population.orgs().get(0);
		starterOrg = population.orgs().get(1);
		// The rate limit is not under test here; the paging checks send many requests.
		api = ReadApiInstance.start(stack, Map.of("trakr.rate-limit.limit", "1000000"));
		DSLContext db = api.context().getBean(DSLContext.class);
		db.insertInto(ORGANIZATIONS, ORGANIZATIONS.ORG_ID, ORGANIZATIONS.NAME, ORGANIZATIONS.PLAN,
				ORGANIZATIONS.RETENTION_DAYS)
			.values(proOrg, "Pro org", "pro", IngestPopulation.RETENTION_DAYS)
			.values(starterOrg, "Starter org", "starter", IngestPopulation.RETENTION_DAYS)
			.execute();
		Admin admin = new Admin(stack);
		proToken = admin.run("token", "create", "--org", proOrg.toString(), "--name", "e2e", "--quiet").trim();
		starterToken = admin.run("token", "create", "--org", starterOrg.toString(), "--name", "e2e", "--quiet").trim();

		String topic = IngestPopulation.newTopic(stack, 3);
		Map<Integer, Long> ends = IngestPopulation.publish(stack, topic, population.shuffled(7));
		long total = ends.values().stream().mapToLong(Long::longValue).sum();
		projector = ProjectorProcess.start(stack, topic);
		projector.awaitProjected(db, topic, total);
	}

	@AfterAll
	static void stop() throws InterruptedException {
		if (projector != null) {
			projector.close();
		}
		if (api != null) {
			api.close();
		}
	}

	// ---- GET /api/runs

	@ParameterizedTest
	@ValueSource(
			strings = { "started_at_desc", "started_at_asc", "cost_desc", "cost_asc", "duration_desc", "duration_asc" })
	void pagingThroughEverySortReturnsEachMatchingRunOnceInOrder(String sort) {
		String nightly = IngestPopulation.WORKFLOWS.get(3);
		String slashed = IngestPopulation.WORKFLOWS.get(1);
		Map<String, Predicate<ExpectedRun>> filters = Map.of("", (run) -> true,
				"&workflow=" + encode(slashed) + "&status=error&status=timeout",
				(run) -> run.workflowName().equals(slashed)
						&& (run.status().equals("error") || run.status().equals("timeout")),
				"&workflow=" + encode(nightly) + "&workflow=triage&status=running",
				(run) -> (run.workflowName().equals(nightly) || run.workflowName().equals("triage"))
						&& run.status().equals("running"),
				"&cost_min=0.1&cost_max=0.3", (run) -> run.costUsd().compareTo(new BigDecimal("0.1")) >= 0
						&& run.costUsd().compareTo(new BigDecimal("0.3")) <= 0);
		filters.forEach((query, predicate) -> {
			List<ExpectedRun> matching = expected.runs(proOrg, FROM, TO).stream().filter(predicate).toList();
			List<ExpectedRun> ordered = new ArrayList<>(matching);
			ordered.sort(order(sort));
			List<String> seen = new ArrayList<>();
			String cursor = null;
			int pages = 0;
			do {
				JsonNode page = ok("/api/runs?from=" + FROM + "&to=" + TO + "&sort=" + sort + "&limit=7" + query
						+ ((cursor != null) ? "&cursor=" + cursor : ""), proToken);
				assertThat(page.path("total_count").asLong()).as(query).isEqualTo(matching.size());
				for (JsonNode run : page.path("runs")) {
					seen.add(run.path("id").asString());
					assertSummary(run, population.expectedRuns().get(proOrg + "/" + run.path("id").asString()));
				}
				cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
				pages++;
			}
			while (cursor != null && pages < 1000);
			assertThat(seen).as(sort + " " + query)
				.containsExactlyElementsOf(ordered.stream().map((run) -> run.runId().toString()).toList());
		});
	}

	@Test
	void totalCountIsExactForUnalignedWindowsAndDefaultsToTheLastThirtyDays() {
		for (int i = 0; i < 5; i++) {
			Instant from = FROM.plus(Duration.ofMinutes(397L * i + 13)).plusMillis(17);
			Instant to = TO.minus(Duration.ofMinutes(211L * i + 7)).plusMillis(3);
			JsonNode page = ok("/api/runs?limit=1&from=" + from + "&to=" + to, proToken);
			assertThat(page.path("total_count").asLong()).isEqualTo(expected.runs(proOrg, from, to).size());
		}
		// The generated week lies within the last 30 days of today (2026-11-28).
		JsonNode recent = ok("/api/runs?limit=100", proToken);
		Instant now = Instant.now();
		assertThat(recent.path("total_count").asLong())
			.isEqualTo(expected.runs(proOrg, now.minus(Duration.ofDays(30)), now).size());
	}

	@Test
	void aCursorOnlyWorksWithTheQueryAndOrgThatIssuedIt() {
		String cursor = ok("/api/runs?limit=2&sort=cost_desc", proToken).path("next_cursor").asString();

		assertError(api.get("/api/runs?limit=2&sort=cost_asc&cursor=" + cursor, bearer(proToken)), 400,
				"invalid_cursor");
		assertError(api.get("/api/runs?limit=2&sort=cost_desc&status=error&cursor=" + cursor, bearer(proToken)), 400,
				"invalid_cursor");
		assertError(api.get("/api/runs?limit=2&sort=cost_desc&cursor=" + cursor, bearer(starterToken)), 400,
				"invalid_cursor");
		String tampered = cursor.substring(0, 3) + (cursor.charAt(3) == 'A' ? 'B' : 'A') + cursor.substring(4);
		assertError(api.get("/api/runs?limit=2&sort=cost_desc&cursor=" + tampered, bearer(proToken)), 400,
				"invalid_cursor");
		assertError(api.get("/api/runs?cursor=%25%25not-a-cursor", bearer(proToken)), 400, "invalid_cursor");
		assertThat(ok("/api/runs?limit=2&sort=cost_desc&cursor=" + cursor, proToken).path("runs").size()).isEqualTo(2);
	}

	@Test
	void everyBadParameterIsListedInOne400() {
		JsonNode body = assertError(
				api.get("/api/runs?limit=0&sort=newest&status=done&from=yesterday&cost_min=abc&cost_max=1e99999",
						bearer(proToken)),
				400, "invalid_parameter");
		Set<String> params = new HashSet<>();
		body.path("details").forEach((detail) -> {
			params.add(detail.path("param").asString());
			assertThat(detail.path("message").asString()).isNotBlank();
		});
		assertThat(params).containsExactlyInAnyOrder("limit", "sort", "status", "from", "cost_min", "cost_max");

		assertError(api.get("/api/runs?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z", bearer(proToken)), 400,
				"invalid_parameter");
		assertError(api.get("/api/runs?limit=101", bearer(proToken)), 400, "invalid_parameter");
		assertError(api.get("/api/runs?from=2026-11-25T00:00:00", bearer(proToken)), 400, "invalid_parameter");
		assertError(api.get("/api/runs/not-a-uuid", bearer(proToken)), 400, "invalid_parameter");
		assertError(api.get("/api/alert-events?resolved=maybe", bearer(proToken)), 400, "invalid_parameter");
		assertError(api.get("/api/workflows?sort=cheapest", bearer(proToken)), 400, "invalid_parameter");
		assertError(api.get("/api/workflows/triage/stats?interval=week", bearer(proToken)), 400, "invalid_parameter");
		assertError(api.get("/api/workflows/triage/stats?interval=minute&from=2026-11-01T00:00:00Z&to=" + TO,
				bearer(proToken)), 400, "invalid_parameter");
		assertError(api.get("/api/runs/compare?run_a=x", bearer(proToken)), 400, "invalid_parameter");
		// An offset with '+' sent unencoded arrives as a space, and still parses.
		assertThat(ok("/api/runs?limit=1&from=2026-11-21T04:17:42%2B01:00&to=" + TO, proToken).path("total_count")
			.asLong()).isEqualTo(expected.runs(proOrg, FROM.minusMillis(123), TO).size());
	}

	// ---- GET /api/runs/[runId]

	@Test
	void runDetailHasEveryFieldNestedListsChildrenAndCombinedCost() {
		List<ExpectedRun> runs = expected.runs(proOrg, Instant.MIN, Instant.MAX);
		List<ExpectedRun> parents = runs.stream()
			.filter((run) -> runs.stream().anyMatch((child) -> run.runId().equals(child.parentRunId())))
			.limit(15)
			.toList();
		List<ExpectedRun> sample = new ArrayList<>(parents);
		sample.addAll(runs.subList(0, 10));
		Set<UUID> withAlerts = population.expectedAlerts()
			.stream()
			.filter((alert) -> alert.orgId().equals(proOrg))
			.map(ExpectedAlert::runId)
			.collect(Collectors.toSet());
		runs.stream().filter((run) -> withAlerts.contains(run.runId())).limit(10).forEach(sample::add);
		for (ExpectedRun run : sample) {
			JsonNode body = ok("/api/runs/" + run.runId(), proToken);
			JsonNode detail = body.path("run");
			assertSummary(detail, run);
			assertThat(detail.path("parent_run_id").isNull() ? null : detail.path("parent_run_id").asString())
				.isEqualTo((run.parentRunId() != null) ? run.parentRunId().toString() : null);
			assertThat(detail.path("input_tokens").asLong()).isEqualTo(run.inputTokens());
			assertThat(detail.path("output_tokens").asLong()).isEqualTo(run.outputTokens());
			assertThat(detail.path("llm_calls")).hasSize(run.llmCalls().size());
			for (int i = 0; i < run.llmCalls().size(); i++) {
				var call = run.llmCalls().get(i);
				JsonNode actual = detail.path("llm_calls").get(i);
				assertThat(actual.path("id").asString()).isEqualTo(call.callId().toString());
				assertThat(actual.path("model").asString()).isEqualTo(call.model());
				assertThat(actual.path("provider").isNull() ? null : actual.path("provider").asString())
					.isEqualTo(call.provider());
				assertThat(actual.path("input_tokens").asLong()).isEqualTo(call.inputTokens());
				assertThat(actual.path("output_tokens").asLong()).isEqualTo(call.outputTokens());
				assertThat(actual.path("total_tokens").asLong()).isEqualTo(call.inputTokens() + call.outputTokens());
				assertThat(actual.path("cost_usd").asString()).isEqualTo(money(call.costUsd()));
				assertThat(actual.path("latency_ms").asLong()).isEqualTo(call.latencyMs());
				assertThat(actual.path("status").asString()).isEqualTo(call.error() ? "error" : "success");
				assertThat(actual.path("started_at").asString()).isEqualTo(millis(call.startedAt()));
			}
			assertThat(detail.path("tool_events")).hasSize(run.toolUses().size());
			for (int i = 0; i < run.toolUses().size(); i++) {
				var use = run.toolUses().get(i);
				JsonNode actual = detail.path("tool_events").get(i);
				assertThat(actual.path("id").asString()).isEqualTo(use.toolEventId().toString());
				assertThat(actual.path("tool_name").asString()).isEqualTo(use.toolName());
				assertThat(actual.path("status").asString()).isEqualTo(use.error() ? "error" : "success");
				assertThat(actual.path("duration_ms").asLong()).isEqualTo(use.durationMs());
				assertThat(actual.path("started_at").asString()).isEqualTo(millis(use.startedAt()));
			}
			// The population's children start at random in a week, before or after their
			// parent: all are counted, from whichever partition they are in.
			List<ExpectedRun> children = runs.stream()
				.filter((child) -> run.runId().equals(child.parentRunId()))
				.sorted(Comparator.comparing(ExpectedRun::startedAt)
					.thenComparing(ExpectedRun::runId, Expectations.UUID_ORDER)
					.reversed())
				.toList();
			assertThat(body.path("child_run_count").asInt()).isEqualTo(children.size());
			List<String> childIds = new ArrayList<>();
			body.path("child_runs").forEach((child) -> childIds.add(child.path("id").asString()));
			assertThat(childIds).containsExactlyElementsOf(children.stream().map((c) -> c.runId().toString()).toList());
			assertThat(body.path("combined_cost_usd").asString())
				.isEqualTo(money(run.costUsd().add(descendantsCost(runs, run.runId()))));
			List<ExpectedAlert> alerts = population.expectedAlerts()
				.stream()
				.filter((alert) -> alert.orgId().equals(proOrg) && alert.runId().equals(run.runId()))
				.sorted(alertOrder())
				.limit(5)
				.toList();
			assertThat(body.path("alert_events")).hasSize(alerts.size());
			for (int i = 0; i < alerts.size(); i++) {
				assertAlert(body.path("alert_events").get(i), alerts.get(i), false);
			}
		}
	}

	@Test
	void anotherOrgsRunIsAMissingRun() {
		ExpectedRun proOnly = expected.runs(proOrg, Instant.MIN, Instant.MAX)
			.stream()
			.filter((run) -> !population.expectedRuns().containsKey(starterOrg + "/" + run.runId()))
			.findFirst()
			.orElseThrow();
		HttpResponse<String> foreign = api.get("/api/runs/" + proOnly.runId(), bearer(starterToken));
		HttpResponse<String> missing = api.get("/api/runs/" + UUID.randomUUID(), bearer(starterToken));
		assertThat(foreign.statusCode()).isEqualTo(404);
		assertThat(foreign.body()).isEqualTo(missing.body());

		// A run id both orgs used is two runs: each org sees its own.
		ExpectedRun shared = expected.runs(starterOrg, Instant.MIN, Instant.MAX)
			.stream()
			.filter((run) -> population.expectedRuns().containsKey(proOrg + "/" + run.runId()))
			.findFirst()
			.orElseThrow();
		assertSummary(ok("/api/runs/" + shared.runId(), starterToken).path("run"), shared);
		assertSummary(ok("/api/runs/" + shared.runId(), proToken).path("run"),
				population.expectedRuns().get(proOrg + "/" + shared.runId()));
		assertThat(ok("/api/workflows?from=" + FROM + "&to=" + TO, starterToken).path("workflows")
			.get(0)
			.path("run_count")
			.asLong()).isLessThanOrEqualTo(expected.runs(starterOrg, FROM, TO).size());
		assertError(api.get("/api/workflows/never-ran/stats", bearer(proToken)), 404, "not_found");
		assertError(api.get("/api/workflows/never-ran/tools", bearer(proToken)), 404, "not_found");
	}

	// ---- GET /api/runs/compare

	@Test
	void compareShowsTwoRunsOfAWorkflowSideBySideWithTheirDifference() {
		List<ExpectedRun> triage = expected.runs(proOrg, Instant.MIN, Instant.MAX)
			.stream()
			.filter((run) -> run.workflowName().equals("triage") && run.llmCallCount() > 0 && run.toolUseCount() > 0)
			.toList();
		ExpectedRun a = triage.get(0);
		ExpectedRun b = triage.get(1);
		JsonNode body = ok("/api/runs/compare?run_a=" + a.runId() + "&run_b=" + b.runId(), proToken);
		assertSummary(body.path("run_a"), a);
		assertSummary(body.path("run_b"), b);
		Map<String, List<IngestPopulation.ExpectedLlmCall>> models = a.llmCalls()
			.stream()
			.collect(Collectors.groupingBy(IngestPopulation.ExpectedLlmCall::model, TreeMap::new, Collectors.toList()));
		assertThat(body.path("run_a").path("models")).hasSize(models.size());
		int i = 0;
		for (var model : models.entrySet()) {
			JsonNode actual = body.path("run_a").path("models").get(i++);
			assertThat(actual.path("model").asString()).isEqualTo(model.getKey());
			assertThat(actual.path("call_count").asLong()).isEqualTo(model.getValue().size());
			assertThat(actual.path("total_tokens").asLong())
				.isEqualTo(model.getValue().stream().mapToLong((c) -> c.inputTokens() + c.outputTokens()).sum());
			assertThat(actual.path("cost_usd").asString()).isEqualTo(money(model.getValue()
				.stream()
				.map(IngestPopulation.ExpectedLlmCall::costUsd)
				.reduce(BigDecimal.ZERO, BigDecimal::add)));
		}
		Map<String, List<IngestPopulation.ExpectedToolUse>> tools = b.toolUses()
			.stream()
			.collect(Collectors.groupingBy(IngestPopulation.ExpectedToolUse::toolName, TreeMap::new,
					Collectors.toList()));
		i = 0;
		for (var tool : tools.entrySet()) {
			JsonNode actual = body.path("run_b").path("tools").get(i++);
			assertThat(actual.path("tool_name").asString()).isEqualTo(tool.getKey());
			assertThat(actual.path("call_count").asLong()).isEqualTo(tool.getValue().size());
			assertThat(actual.path("error_count").asLong())
				.isEqualTo(tool.getValue().stream().filter(IngestPopulation.ExpectedToolUse::error).count());
			assertThat(actual.path("total_duration_ms").asLong())
				.isEqualTo(tool.getValue().stream().mapToLong(IngestPopulation.ExpectedToolUse::durationMs).sum());
		}
		JsonNode diff = body.path("diff");
		assertThat(diff.path("cost_usd").asString()).isEqualTo(money(b.costUsd().subtract(a.costUsd())));
		assertThat(diff.path("total_tokens").asLong())
			.isEqualTo(b.inputTokens() + b.outputTokens() - a.inputTokens() - a.outputTokens());
		assertThat(diff.path("llm_call_count").asLong()).isEqualTo(b.llmCallCount() - a.llmCallCount());
		assertThat(diff.path("tool_use_count").asLong()).isEqualTo(b.toolUseCount() - a.toolUseCount());
		if (a.durationMs() != null && b.durationMs() != null) {
			assertThat(diff.path("duration_ms").asLong()).isEqualTo(b.durationMs() - a.durationMs());
		}
		else {
			assertThat(diff.path("duration_ms").isNull()).isTrue();
		}

		ExpectedRun otherWorkflow = expected.runs(proOrg, Instant.MIN, Instant.MAX)
			.stream()
			.filter((run) -> !run.workflowName().equals("triage"))
			.findFirst()
			.orElseThrow();
		assertError(
				api.get("/api/runs/compare?run_a=" + a.runId() + "&run_b=" + otherWorkflow.runId(), bearer(proToken)),
				400, "invalid_parameter");
		assertError(api.get("/api/runs/compare?run_a=" + a.runId() + "&run_b=" + UUID.randomUUID(), bearer(proToken)),
				404, "not_found");
		// The plan is checked before anything else, even a malformed request.
		assertError(api.get("/api/runs/compare?run_a=nope", bearer(starterToken)), 403, "plan_upgrade_required");
	}

	// ---- GET /api/workflows

	/**
	 * {@code Accept: text/csv} on the aggregate routes: the rows of the JSON answer (the
	 * workflows, the tools, the stats' series), one CSV record each, read back by a real
	 * CSV parser, each field as JSON writes it.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "/api/workflows?sort=run_count_desc workflows", "/api/workflows/triage/tools? tools",
			"/api/workflows/triage/stats?interval=hour series",
			"/api/workflows/r%C3%A9sum%C3%A9%20100%25/stats?interval=day series" })
	void csvHoldsTheRowsOfTheJsonAnswer(String routeAndRows) throws Exception {
		String route = routeAndRows.split(" ")[0] + "&from=" + FROM + "&to=" + TO;
		JsonNode rows = ok(route, proToken).path(routeAndRows.split(" ")[1]);
		assertThat(rows).isNotEmpty();
		HttpResponse<String> csv = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(api.uri(route))
				.header("Authorization", bearer(proToken))
				.header("Accept", "text/csv")
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(csv.statusCode()).isEqualTo(200);
		assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
		List<CSVRecord> records = CSVFormat.RFC4180.builder()
			.setHeader()
			.setSkipHeaderRecord(true)
			.get()
			.parse(new StringReader(csv.body()))
			.getRecords();
		assertThat(records).hasSize(rows.size());
		for (int i = 0; i < records.size(); i++) {
			JsonNode row = rows.get(i);
			assertThat(records.get(i).toMap().keySet()).containsExactlyInAnyOrderElementsOf(row.propertyNames());
			for (String name : row.propertyNames()) {
				JsonNode value = row.get(name);
				String expected = value.isNull() ? "" : value.isString() ? value.stringValue() : value.toString();
				assertThat(records.get(i).get(name)).as(route + " row " + i + " " + name).isEqualTo(expected);
			}
		}
	}

	/**
	 * Grafana's {@code ${__from}}/{@code ${__to}} are epoch milliseconds: on every route
	 * that takes a window they give the same body as the same instants in ISO 8601.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "/api/workflows?sort=total_cost_desc", "/api/runs?limit=20&sort=cost_desc",
			"/api/workflows/triage/stats?interval=hour", "/api/workflows/triage/tools", "/api/metrics/overview",
			"/api/alert-events?limit=20" })
	void epochMillisecondsAndIsoTimestampsGiveTheSameBody(String route) {
		String separator = route.contains("?") ? "&" : "?";
		String iso = separator + "from=" + FROM + "&to=" + TO;
		String epoch = separator + "from=" + FROM.toEpochMilli() + "&to=" + TO.toEpochMilli();
		JsonNode byIso = ok(route + iso, proToken);
		assertThat(ok(route + epoch, proToken)).isEqualTo(byIso);
		assertThat(byIso.toString()).as("the window holds data")
			.containsPattern("\"(run_count|total_count|use_count|id)\":\"?[1-9a-f]");
	}

	@ParameterizedTest
	@ValueSource(strings = { "2026-11-21T03:17:42.123Z/2026-11-25T19:03:11.456Z",
			"2026-11-20T00:00:00Z/2026-11-27T23:59:59.999999Z", "2026-11-22T10:00:00Z/2026-11-22T10:59:59.999Z",
			"2026-11-23T06:02:03Z/2026-11-23T06:04:05Z" })
	void workflowSummariesAreExactForAlignedAndUnalignedWindows(String window) {
		Instant from = Instant.parse(window.split("/")[0]);
		Instant to = Instant.parse(window.split("/")[1]);
		JsonNode body = ok("/api/workflows?sort=run_count_desc&from=" + from + "&to=" + to, proToken);
		Map<String, List<ExpectedRun>> byWorkflow = expected.runs(proOrg, from, to)
			.stream()
			.collect(Collectors.groupingBy(ExpectedRun::workflowName));
		assertThat(body.path("workflows")).hasSize(byWorkflow.size());
		long previousCount = Long.MAX_VALUE;
		for (JsonNode workflow : body.path("workflows")) {
			List<ExpectedRun> runs = byWorkflow.get(workflow.path("workflow_name").asString());
			assertWorkflowSummary(workflow, runs);
			assertThat(workflow.path("run_count").asLong()).isLessThanOrEqualTo(previousCount);
			previousCount = workflow.path("run_count").asLong();
		}
		// Each sort after another over the same cached content: its own order.
		Map<String, String> sortedBy = Map.of("total_cost_desc", "total_cost_usd", "error_rate_desc", "error_rate",
				"avg_latency_desc", "avg_duration_ms");
		sortedBy.forEach((sort, field) -> {
			JsonNode workflows = ok("/api/workflows?sort=" + sort + "&from=" + from + "&to=" + to, proToken)
				.path("workflows");
			assertThat(workflows).hasSize(byWorkflow.size());
			List<BigDecimal> keys = new ArrayList<>();
			workflows.forEach((workflow) -> keys.add(workflow.path(field).isNumber()
					? workflow.path(field).decimalValue() : new BigDecimal(workflow.path(field).asString())));
			assertThat(keys).as(sort).isSortedAccordingTo(Comparator.reverseOrder());
		});
	}

	// ---- GET /api/workflows/[name]/stats

	@ParameterizedTest
	@ValueSource(strings = { "hour", "day", "minute" })
	void statsSeriesAreAlignedZeroFilledAndExact(String interval) {
		String workflow = IngestPopulation.WORKFLOWS.get(1);
		Instant from = interval.equals("minute") ? Instant.parse("2026-11-22T09:41:07.250Z") : FROM;
		Instant to = interval.equals("minute") ? Instant.parse("2026-11-22T14:12:55Z") : TO;
		int width = switch (interval) {
			case "minute" -> 60;
			case "hour" -> 3600;
			default -> 86400;
		};
		JsonNode body = ok(
				"/api/workflows/" + encode(workflow) + "/stats?interval=" + interval + "&from=" + from + "&to=" + to,
				proToken);
		assertThat(body.path("workflow_name").asString()).isEqualTo(workflow);
		assertThat(body.path("interval").asString()).isEqualTo(interval);
		List<ExpectedRun> runs = expected.runs(proOrg, from, to)
			.stream()
			.filter((run) -> run.workflowName().equals(workflow))
			.toList();
		assertWorkflowSummary(body.path("summary"), runs);
		Instant bucket = Instant.ofEpochSecond(Math.floorDiv(from.getEpochSecond(), width) * width);
		JsonNode series = body.path("series");
		assertThat(series).hasSize((int) ((to.getEpochSecond() - bucket.getEpochSecond()) / width + 1));
		for (JsonNode point : series) {
			Instant start = bucket;
			assertThat(Instant.parse(point.path("bucket_start").asString())).isEqualTo(start);
			List<ExpectedRun> inBucket = runs.stream()
				.filter((run) -> !run.startedAt().isBefore(start) && run.startedAt().isBefore(start.plusSeconds(width)))
				.toList();
			Expectations.assertPoint(point, inBucket, interval + " " + start);
			bucket = bucket.plusSeconds(width);
		}
	}

	// ---- GET /api/workflows/[name]/tools

	@Test
	void toolBreakdownCountsUsesErrorsDurationsAndRuns() {
		for (String workflow : IngestPopulation.WORKFLOWS) {
			JsonNode body = ok("/api/workflows/" + encode(workflow) + "/tools?from=" + FROM + "&to=" + TO, proToken);
			assertThat(body.path("workflow_name").asString()).isEqualTo(workflow);
			List<ExpectedRun> runs = expected.runs(proOrg, FROM, TO)
				.stream()
				.filter((run) -> run.workflowName().equals(workflow))
				.toList();
			long allUses = runs.stream().mapToLong((run) -> run.toolUses().size()).sum();
			Map<String, List<IngestPopulation.ExpectedToolUse>> uses = runs.stream()
				.flatMap((run) -> run.toolUses().stream())
				.collect(Collectors.groupingBy(IngestPopulation.ExpectedToolUse::toolName));
			assertThat(body.path("tools")).hasSize(uses.size());
			long previous = Long.MAX_VALUE;
			for (JsonNode tool : body.path("tools")) {
				String name = tool.path("tool_name").asString();
				List<IngestPopulation.ExpectedToolUse> expectedUses = uses.get(name);
				long errors = expectedUses.stream().filter(IngestPopulation.ExpectedToolUse::error).count();
				List<Long> durations = expectedUses.stream().map(IngestPopulation.ExpectedToolUse::durationMs).toList();
				assertThat(tool.path("call_count").asLong()).isEqualTo(expectedUses.size());
				assertThat(tool.path("call_count").asLong()).isLessThanOrEqualTo(previous);
				previous = tool.path("call_count").asLong();
				assertThat(tool.path("error_count").asLong()).isEqualTo(errors);
				assertThat(tool.path("error_rate").asDouble()).isEqualTo((double) errors / expectedUses.size());
				assertThat(tool.path("avg_duration_ms").asLong()).isEqualTo(
						Math.round((double) durations.stream().mapToLong(Long::longValue).sum() / durations.size()));
				assertWithinOnePercent(workflow + "/" + name, tool.path("p95_duration_ms").asLong(), p95(durations));
				assertThat(tool.path("run_count").asLong()).isEqualTo(runs.stream()
					.filter((run) -> run.toolUses().stream().anyMatch((use) -> use.toolName().equals(name)))
					.count());
				assertThat(tool.path("share").asDouble()).isEqualTo((double) expectedUses.size() / allUses);
			}
		}
	}

	// ---- GET /api/alert-events

	@Test
	void alertEventsPageNewestFirstWithEachFilter() {
		Map<String, Predicate<ExpectedAlert>> filters = Map.of("", (alert) -> true, "&rule_id=rule-1",
				(alert) -> alert.ruleId().equals("rule-1"), "&resolved=true", (alert) -> alert.resolvedAt() != null,
				"&resolved=false&rule_id=rule-2",
				(alert) -> alert.resolvedAt() == null && alert.ruleId().equals("rule-2"));
		filters.forEach((query, predicate) -> {
			List<ExpectedAlert> matching = population.expectedAlerts()
				.stream()
				.filter((alert) -> alert.orgId().equals(proOrg))
				.filter((alert) -> !alert.firedAt().isBefore(FROM) && !alert.firedAt().isAfter(TO))
				.filter(predicate)
				.sorted(alertOrder())
				.toList();
			List<JsonNode> seen = new ArrayList<>();
			String cursor = null;
			do {
				JsonNode page = ok("/api/alert-events?limit=4&from=" + FROM + "&to=" + TO + query
						+ ((cursor != null) ? "&cursor=" + cursor : ""), proToken);
				page.path("alert_events").forEach(seen::add);
				cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
			}
			while (cursor != null);
			assertThat(seen).as(query).hasSize(matching.size());
			for (int i = 0; i < matching.size(); i++) {
				assertAlert(seen.get(i), matching.get(i), true);
			}
		});
	}

	// ---- GET /api/metrics/overview

	@Test
	void overviewTotalsTheWindowAndThePeriodBeforeIt() {
		Instant from = Instant.parse("2026-11-23T12:34:56.789Z");
		Instant to = Instant.parse("2026-11-26T01:02:03.004Z");
		JsonNode body = ok("/api/metrics/overview?from=" + from + "&to=" + to, proToken);
		List<ExpectedRun> runs = expected.runs(proOrg, from, to);
		assertThat(body.path("run_count").asLong()).isEqualTo(runs.size());
		assertThat(body.path("running_count").asLong())
			.isEqualTo(runs.stream().filter((run) -> !run.completed()).count());
		assertThat(body.path("completed_count").asLong())
			.isEqualTo(runs.stream().filter(ExpectedRun::completed).count());
		assertThat(body.path("failed_count").asLong()).isEqualTo(runs.stream().filter(ExpectedRun::failed).count());
		assertThat(body.path("error_rate").asDouble()).isEqualTo(Expectations.errorRate(runs));
		assertThat(body.path("total_cost_usd").asString()).isEqualTo(money(Expectations.totalCost(runs)));
		assertThat(body.path("avg_cost_usd").asString()).isEqualTo(money(Expectations.averageCost(runs)));
		assertWithinOnePercent("p95 cost", new BigDecimal(body.path("p95_cost_usd").asString()),
				p95(runs.stream().map(ExpectedRun::costUsd).toList()));
		assertThat(body.path("avg_duration_ms").asLong()).isEqualTo(Expectations.averageDuration(runs));
		assertWithinOnePercent("p95 duration", body.path("p95_duration_ms").asLong(),
				p95(Expectations.durations(runs)));
		assertThat(body.path("total_tokens").asLong())
			.isEqualTo(runs.stream().mapToLong((run) -> run.inputTokens() + run.outputTokens()).sum());
		assertThat(body.path("llm_call_count").asLong())
			.isEqualTo(runs.stream().mapToLong(ExpectedRun::llmCallCount).sum());
		assertThat(body.path("tool_use_count").asLong())
			.isEqualTo(runs.stream().mapToLong(ExpectedRun::toolUseCount).sum());
		assertThat(body.path("workflow_count").asLong())
			.isEqualTo(runs.stream().map(ExpectedRun::workflowName).distinct().count());
		List<ExpectedAlert> alerts = population.expectedAlerts()
			.stream()
			.filter((alert) -> alert.orgId().equals(proOrg))
			.toList();
		assertThat(body.path("alerts").path("fired_count").asLong()).isEqualTo(alerts.stream()
			.filter((alert) -> !alert.firedAt().isBefore(from) && !alert.firedAt().isAfter(to))
			.count());
		assertThat(body.path("alerts").path("unresolved_count").asLong())
			.isEqualTo(alerts.stream().filter((alert) -> alert.resolvedAt() == null).count());
		JsonNode previous = body.path("previous_period");
		Instant previousTo = from.minus(1, ChronoUnit.MICROS);
		Instant previousFrom = previousTo.minus(Duration.between(from, to));
		assertThat(Instant.parse(previous.path("to").asString())).isEqualTo(previousTo.truncatedTo(ChronoUnit.MILLIS));
		List<ExpectedRun> before = expected.runs(proOrg, previousFrom, previousTo);
		assertThat(previous.path("run_count").asLong()).isEqualTo(before.size());
		assertThat(previous.path("total_cost_usd").asString()).isEqualTo(money(Expectations.totalCost(before)));
		assertThat(previous.path("error_rate").asDouble()).isEqualTo(Expectations.errorRate(before));
	}

	// ---- helpers

	private static void assertSummary(JsonNode actual, ExpectedRun run) {
		String what = "run " + run.runId();
		assertThat(actual.path("id").asString()).as(what).isEqualTo(run.runId().toString());
		assertThat(actual.path("workflow_name").asString()).as(what).isEqualTo(run.workflowName());
		assertThat(actual.path("run_id_external").isNull() ? null : actual.path("run_id_external").asString()).as(what)
			.isEqualTo(run.runIdExternal());
		assertThat(actual.path("status").asString()).as(what).isEqualTo(run.status());
		assertThat(actual.path("cost_usd").asString()).as(what).isEqualTo(money(run.costUsd()));
		assertThat(actual.path("total_tokens").asLong()).as(what).isEqualTo(run.inputTokens() + run.outputTokens());
		assertThat(actual.path("duration_ms").isNull() ? null : actual.path("duration_ms").asLong()).as(what)
			.isEqualTo(run.durationMs());
		assertThat(actual.path("llm_call_count").asInt()).as(what).isEqualTo(run.llmCallCount());
		assertThat(actual.path("tool_use_count").asInt()).as(what).isEqualTo(run.toolUseCount());
		assertThat(actual.path("started_at").asString()).as(what).isEqualTo(millis(run.startedAt()));
		assertThat(actual.path("ended_at").isNull() ? null : actual.path("ended_at").asString()).as(what)
			.isEqualTo((run.endedAt() != null) ? millis(run.endedAt()) : null);
	}

	private static void assertWorkflowSummary(JsonNode actual, List<ExpectedRun> runs) {
		String what = actual.path("workflow_name").asString();
		assertThat(actual.path("run_count").asLong()).as(what).isEqualTo(runs.size());
		assertThat(actual.path("total_cost_usd").asString()).as(what).isEqualTo(money(Expectations.totalCost(runs)));
		assertThat(actual.path("avg_cost_usd").asString()).as(what).isEqualTo(money(Expectations.averageCost(runs)));
		assertWithinOnePercent(what + " p95 cost", new BigDecimal(actual.path("p95_cost_usd").asString()),
				p95(runs.stream().map(ExpectedRun::costUsd).toList()));
		assertThat(actual.path("error_rate").asDouble()).as(what).isEqualTo(Expectations.errorRate(runs));
		assertThat(actual.path("avg_duration_ms").asLong()).as(what).isEqualTo(Expectations.averageDuration(runs));
		assertThat(actual.path("last_run_at").asString()).as(what)
			.isEqualTo(millis(runs.stream().map(ExpectedRun::startedAt).max(Comparator.naturalOrder()).orElseThrow()));
	}

	private static void assertAlert(JsonNode actual, ExpectedAlert alert, boolean withRunAndWorkflow) {
		assertThat(actual.path("id").asString()).isEqualTo(alert.alertEventId().toString());
		assertThat(actual.path("alert_rule_id").asString()).isEqualTo(alert.ruleId());
		assertThat(actual.path("alert_rule_name").asString()).isEqualTo(alert.ruleName());
		assertThat(actual.path("triggered_value").decimalValue()).isEqualByComparingTo(alert.triggeredValue());
		assertThat(actual.path("threshold_value").decimalValue()).isEqualByComparingTo(alert.thresholdValue());
		assertThat(actual.path("notification_sent").asBoolean()).isEqualTo(alert.notificationSent());
		assertThat(actual.path("resolved_at").isNull() ? null : actual.path("resolved_at").asString())
			.isEqualTo((alert.resolvedAt() != null) ? millis(alert.resolvedAt()) : null);
		assertThat(actual.path("created_at").asString()).isEqualTo(millis(alert.firedAt()));
		if (withRunAndWorkflow) {
			assertThat(actual.path("run_id").asString()).isEqualTo(alert.runId().toString());
			assertThat(actual.path("workflow_name").asString()).isEqualTo(alert.workflowName());
		}
	}

	private static Comparator<ExpectedAlert> alertOrder() {
		return Comparator.comparing(ExpectedAlert::firedAt)
			.thenComparing(ExpectedAlert::alertEventId, Expectations.UUID_ORDER)
			.reversed();
	}

	private static Comparator<ExpectedRun> order(String sort) {
		Comparator<ExpectedRun> byId = Comparator.comparing(ExpectedRun::runId, Expectations.UUID_ORDER);
		boolean desc = sort.endsWith("_desc");
		if (sort.startsWith("duration")) {
			// Still running (no duration) last in both directions, then by id in the
			// sort's
			// direction.
			Comparator<ExpectedRun> byDuration = Comparator.comparing(ExpectedRun::durationMs,
					Comparator.nullsLast(desc ? Comparator.<Long>reverseOrder() : Comparator.<Long>naturalOrder()));
			return byDuration.thenComparing(desc ? byId.reversed() : byId);
		}
		Comparator<ExpectedRun> key = sort.startsWith("cost") ? Comparator.comparing(ExpectedRun::costUsd)
				: Comparator.comparing(ExpectedRun::startedAt);
		Comparator<ExpectedRun> both = key.thenComparing(byId);
		return desc ? both.reversed() : both;
	}

	private static BigDecimal descendantsCost(List<ExpectedRun> runs, UUID runId) {
		BigDecimal total = BigDecimal.ZERO;
		for (ExpectedRun child : runs) {
			if (runId.equals(child.parentRunId())) {
				total = total.add(child.costUsd()).add(descendantsCost(runs, child.runId()));
			}
		}
		return total;
	}

	private static JsonNode ok(String path, String token) {
		HttpResponse<String> response = api.get(path, bearer(token));
		assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private static JsonNode assertError(HttpResponse<String> response, int status, String code) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.path("code").asString()).isEqualTo(code);
		assertThat(body.path("error").asString()).isNotBlank();
		return body;
	}

	private static String millis(Instant instant) {
		return java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
			.withZone(java.time.ZoneOffset.UTC)
			.format(instant);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private static String bearer(String token) {
		return "Bearer " + token;
	}

}
