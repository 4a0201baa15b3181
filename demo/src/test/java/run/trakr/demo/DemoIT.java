package run.trakr.demo;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The demo as a user runs it (real Kafka, PostgreSQL and Redis, the packaged projector
 * and read-api in their own JVMs, the simulator): every route has data and matches the
 * OpenAPI description, the public document's shell recipes run verbatim against it, and
 * the Grafana dashboard's queries find their fields.
 */
class DemoIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Path REPOSITORY = Path.of(System.getProperty("trakr.repository.dir", ".."));

	/** The public API document beside the checkout, where there is one. */
	private static final Path SHARED_API_DOCUMENT = Path.of(System.getProperty("trakr.shared.dir", "../../shared"))
		.resolve("spec/dashboard-api.md");

	/**
	 * A copy of that document, so a clone without it still runs the recipes;
	 * {@link #recipesAreTheSharedDocumentsOwn} keeps the two equal.
	 */
	private static final Path API_DOCUMENT = Path.of("src/test/resources/run/trakr/demo/dashboard-api.md");

	private static final int BACKFILL_RUNS = 1500;

	private static final HttpClient http = HttpClient.newHttpClient();

	private static Demo demo;

	private static OpenApiContract openApi;

	@BeforeAll
	static void startDemo() throws Exception {
		demo = new Demo(new Demo.Settings(0, jar("trakr.projector.jar"), jar("trakr.read-api.jar"),
				Path.of("target", "demo-it-logs"), BACKFILL_RUNS, Duration.ofDays(30), 60, 20261129L));
		demo.start();
		openApi = new OpenApiContract(REPOSITORY.resolve("docs/openapi.yaml"));
	}

	@AfterAll
	static void stopDemo() {
		if (demo != null) {
			demo.close();
		}
	}

	@Test
	void everyRouteHasDataThatMatchesTheOpenApiDescription() throws Exception {
		JsonNode runs = get("/api/runs?limit=100", "/api/runs");
		assertThat(runs.path("runs").size()).isEqualTo(100);
		assertThat(runs.path("total_count").asLong()).isGreaterThan(BACKFILL_RUNS);

		JsonNode workflows = get("/api/workflows", "/api/workflows").path("workflows");
		List<String> names = new ArrayList<>();
		workflows.forEach(workflow -> names.add(workflow.path("workflow_name").asString()));
		assertThat(names).contains("research/deep-dive", "invoice extraction", "résumé-screener", "support-triage");
		for (String name : names) {
			JsonNode stats = get("/api/workflows/" + segment(name) + "/stats?interval=day",
					"/api/workflows/{name}/stats");
			assertThat(stats.path("workflow_name").asString()).isEqualTo(name);
			assertThat(stats.path("series").size()).isBetween(30, 31);
			assertThat(stats.path("summary").path("run_count").asLong()).isPositive();
			get("/api/workflows/" + segment(name) + "/tools", "/api/workflows/{name}/tools");
			JsonNode kathmandu = get("/api/workflows/" + segment(name) + "/stats?interval=day&tz=Asia/Kathmandu",
					"/api/workflows/{name}/stats");
			assertThat(kathmandu.path("series").get(0).path("bucket_start").asString()).endsWith("T00:00:00.000+05:45");
		}
		JsonNode tools = get("/api/workflows/" + segment("research/deep-dive") + "/tools",
				"/api/workflows/{name}/tools");
		assertThat(tools.path("tools").size()).isEqualTo(2);

		JsonNode parent = findRun("/api/runs?workflow=research/deep-dive&status=success&limit=100",
				detail -> detail.path("child_run_count").asInt() > 0
						&& !detail.path("run").path("llm_calls").isEmpty());
		assertThat(new BigDecimal(parent.path("combined_cost_usd").asString()))
			.isGreaterThan(new BigDecimal(parent.path("run").path("cost_usd").asString()));

		JsonNode pair = get("/api/runs?workflow=code-review&status=success&limit=2", "/api/runs").path("runs");
		JsonNode comparison = get("/api/runs/compare?run_a=" + pair.get(0).path("id").asString() + "&run_b="
				+ pair.get(1).path("id").asString(), "/api/runs/compare");
		assertThat(comparison.path("run_a").path("models").size()).isPositive();

		JsonNode resolved = get("/api/alert-events?resolved=true", "/api/alert-events").path("alert_events");
		JsonNode unresolved = get("/api/alert-events?resolved=false", "/api/alert-events").path("alert_events");
		assertThat(resolved.size()).isPositive();
		assertThat(unresolved.size()).isPositive();

		JsonNode overview = get("/api/metrics/overview", "/api/metrics/overview");
		assertThat(overview.path("workflow_count").asInt()).isEqualTo(names.size());
		assertThat(overview.path("alerts").path("fired_count").asLong()).isPositive();
	}

	@Test
	void errorsMatchTheOpenApiDescription() throws Exception {
		assertError(request("/api/runs?limit=0", demo.token()), "/api/runs", 400, "invalid_parameter");
		assertError(request("/api/runs", null), "/api/runs", 401, "missing_token");
		assertError(request("/api/runs/00000000-0000-4000-8000-000000000000", demo.token()), "/api/runs/{runId}", 404,
				"not_found");
		assertError(request("/api/workflows/no-such-workflow/stats", demo.token()), "/api/workflows/{name}/stats", 404,
				"not_found");
		assertError(request("/api/runs", demo.token(), "text/html"), "/api/runs", 406, "not_acceptable");
		assertError(request("/api/workflows", demo.token(), "application/x-ndjson"), "/api/workflows", 406,
				"not_acceptable");
	}

	/**
	 * An NDJSON export of a closed window holds the runs the list route counts, each line
	 * an {@code AgentRunSummary} as the OpenAPI description gives it; the CSV export has
	 * the same number of records under the same field names.
	 */
	@Test
	void exportsHoldTheListsRunsAsTheOpenApiDescribesThem() throws Exception {
		Instant to = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
		String window = "from=" + to.minus(Duration.ofDays(2)) + "&to=" + to;
		long total = get("/api/runs?limit=1&" + window, "/api/runs").path("total_count").asLong();
		assertThat(total).isPositive();
		HttpResponse<String> ndjson = request("/api/runs?" + window, demo.token(), "application/x-ndjson");
		assertThat(ndjson.statusCode()).isEqualTo(200);
		assertThat(ndjson.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-ndjson");
		List<String> lines = ndjson.body().lines().toList();
		assertThat(lines).hasSize((int) total);
		for (String line : lines) {
			ObjectNode asList = JSON.createObjectNode();
			asList.putArray("runs").add(JSON.readTree(line));
			asList.putNull("next_cursor");
			asList.put("total_count", 1);
			assertThat(openApi.violations("/api/runs", 200, asList)).as(line).isEmpty();
		}
		HttpResponse<String> csv = request("/api/runs?" + window, demo.token(), "text/csv");
		List<String> records = csv.body().lines().toList();
		assertThat(records.get(0)).isEqualTo(String.join(",", JSON.readTree(lines.get(0)).propertyNames()));
		assertThat(records).as("names hold no line breaks here").hasSize((int) total + 1);
	}

	@Test
	void recipesAreTheSharedDocumentsOwn() throws IOException {
		assumeTrue(Files.isRegularFile(SHARED_API_DOCUMENT), "no " + SHARED_API_DOCUMENT + " beside this checkout");
		assertThat(Files.readString(API_DOCUMENT)).as("copy of " + SHARED_API_DOCUMENT + "; refresh it")
			.isEqualTo(Files.readString(SHARED_API_DOCUMENT));
	}

	@Test
	void docExamplesRunVerbatimAgainstTheDemo() throws Exception {
		DocRecipes recipes = new DocRecipes(API_DOCUMENT);
		Map<String, String> environment = Map.of("TRAKR_APP_URL", demo.url().toString(), "TRAKR_READ_TOKEN",
				demo.token());

		JsonNode runs = JSON.readTree(DocRecipes.run(recipes.curlExample(), environment)).path("runs");
		assertThat(runs.size()).isEqualTo(10);
		List<String> started = new ArrayList<>();
		runs.forEach(run -> started.add(run.path("started_at").asString()));
		assertThat(started).isSortedAccordingTo(Comparator.reverseOrder());

		for (String export : List.of(recipes.scheduledExport(), recipes.cronCommand())) {
			Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
			JsonNode workflows = JSON.readTree(DocRecipes.run(export, environment)).path("workflows");
			assertThat(workflows.size()).isPositive();
			// A 24-hour window: every workflow listed ran within it.
			workflows.forEach(workflow -> assertThat(Instant.parse(workflow.path("last_run_at").asString()))
				.isAfterOrEqualTo(before.minus(Duration.ofHours(24))));
		}
	}

	@Test
	void slackRecipePostsTheDaysWorkflowCountAndCost() throws Exception {
		List<String[]> posts = new CopyOnWriteArrayList<>();
		HttpServer slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		slack.createContext("/services/T000/B000/demo", exchange -> {
			posts.add(new String[] { exchange.getRequestHeaders().getFirst("Content-Type"),
					new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) });
			byte[] ok = "ok".getBytes();
			exchange.sendResponseHeaders(200, ok.length);
			exchange.getResponseBody().write(ok);
			exchange.close();
		});
		slack.start();
		// Quiet traffic, so the day's figures hold still while the script reads them.
		demo.simulator().pause();
		try {
			demo.awaitProjected(Duration.ofMinutes(1));
			Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
			DocRecipes.run(new DocRecipes(API_DOCUMENT).slackScript(),
					Map.of("TRAKR_APP_URL", demo.url().toString(), "TRAKR_READ_TOKEN", demo.token(),
							"SLACK_WEBHOOK_URL",
							"http://127.0.0.1:" + slack.getAddress().getPort() + "/services/T000/B000/demo"));
			Instant after = Instant.now().truncatedTo(ChronoUnit.SECONDS);

			assertThat(posts).hasSize(1);
			assertThat(posts.get(0)[0]).isEqualTo("application/json");
			String text = JSON.readTree(posts.get(0)[1]).path("text").asString();
			Matcher summary = Pattern.compile("Trakr 24h: (\\d+) workflows, \\$([0-9.]+) total cost").matcher(text);
			assertThat(summary.matches()).as(text).isTrue();
			DayTotals expected = dayTotals(before);
			if (!expected.equals(dayTotals(after))) {
				// A run left the window between the two reads; the script saw one of
				// them.
				assertThat(List.of(expected, dayTotals(after))).anySatisfy(e -> assertSummary(summary, e));
			}
			else {
				assertSummary(summary, expected);
			}
		}
		finally {
			demo.simulator().resume();
			slack.stop(0);
		}
	}

	@Test
	void liveTrafficKeepsArriving() throws Exception {
		long before = get("/api/runs?limit=1", "/api/runs").path("total_count").asLong();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
			JsonNode latest = get("/api/runs?limit=100", "/api/runs");
			assertThat(latest.path("total_count").asLong()).isGreaterThan(before);
			List<String> statuses = new ArrayList<>();
			latest.path("runs").forEach(run -> statuses.add(run.path("status").asString()));
			assertThat(statuses).contains("running").contains("success");
		});
	}

	/**
	 * The Trakr dashboard's variable, panels and annotations, run as Grafana's Infinity
	 * plugin runs them (its query model, Grafana's substitutions, the backend parser's
	 * selectors): each finds rows with every column it maps.
	 */
	@Test
	void grafanaDashboardQueriesRunAsInfinityRunsThem() throws Exception {
		JsonNode dashboard = JSON.readTree(REPOSITORY.resolve("deploy/grafana/dashboards/trakr.json").toFile());
		Instant now = Instant.now();
		// A viewer in St. John's: the browser's zone, a half-hour offset.
		InfinityQueries infinity = new InfinityQueries(now.minus(Duration.ofDays(7)), now, "America/St_Johns", path -> {
			try {
				HttpResponse<String> response = request(path, demo.token());
				assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
				return response.body();
			}
			catch (IOException | InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(infinity.runAll(dashboard)).as("variable, 6 panels, 1 annotation").isEqualTo(8);
		// Grafana's own range macros, in epoch milliseconds, in every URL but the
		// variable's.
		List<String> urls = dashboard.findValues("url").stream().map(JsonNode::asString).toList();
		assertThat(urls.stream().filter(url -> url.startsWith("/api/") && !url.equals("/api/workflows"))).isNotEmpty()
			.allSatisfy(url -> assertThat(url).contains("from=${__from}&to=${__to}"));
		// Stats in the viewer's time zone.
		assertThat(urls.stream().filter(url -> url.contains("/stats?"))).isNotEmpty()
			.allSatisfy(url -> assertThat(url).contains("&tz=${__timezone}"));
		JsonNode datasource = JSON.valueToTree(new tools.jackson.dataformat.yaml.YAMLMapper()
			.readTree(REPOSITORY.resolve("deploy/grafana/provisioning/datasources/trakr.yaml").toFile()));
		assertThat(datasource.at("/datasources/0/uid").asString()).isEqualTo("trakr");
		assertThat(datasource.at("/datasources/0/type").asString()).isEqualTo("yesoreyeram-infinity-datasource");
	}

	/**
	 * Every series the operations dashboard queries is one the services export on
	 * {@code /actuator/prometheus}, under the name Prometheus gives it.
	 */
	@Test
	void operationsDashboardQueriesSeriesTheServicesExport() throws Exception {
		JsonNode dashboard = JSON.readTree(REPOSITORY.resolve("deploy/grafana/dashboards/operations.json").toFile());
		StringBuilder scraped = new StringBuilder();
		for (URI management : List.of(demo.readApiManagement(), demo.projectorManagement())) {
			HttpResponse<String> response = http.send(
					HttpRequest.newBuilder(management.resolve("/actuator/prometheus")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			scraped.append(response.body());
		}
		Set<String> exported = new TreeSet<>();
		Matcher series = Pattern.compile("(?m)^([a-z_]+)[{ ]").matcher(scraped);
		while (series.find()) {
			exported.add(series.group(1));
		}
		Pattern metric = Pattern.compile("\\b((?:trakr|http_server)_[a-z_]+)");
		int queried = 0;
		for (JsonNode panel : dashboard.path("panels")) {
			assertThat(panel.at("/datasource/uid").asString()).isEqualTo("prometheus");
			for (JsonNode target : panel.path("targets")) {
				Matcher name = metric.matcher(target.path("expr").asString());
				while (name.find()) {
					assertThat(exported).as(panel.path("title").asString()).contains(name.group(1));
					queried++;
				}
			}
		}
		assertThat(queried).isGreaterThanOrEqualTo(10);
	}

	private record DayTotals(int workflows, BigDecimal cost) {
	}

	/** The 24 hours before {@code to}, straight from the run rows. */
	private static DayTotals dayTotals(Instant to) throws SQLException {
		try (Connection db = DriverManager.getConnection(demo.stack().jdbcUrl(), demo.stack().postgresUser(),
				demo.stack().postgresPassword());
				PreparedStatement query = db.prepareStatement("SELECT count(DISTINCT workflow_name),"
						+ " coalesce(sum(cost_usd), 0) FROM runs WHERE org_id = ? AND started_at BETWEEN ? AND ?")) {
			query.setObject(1, demo.org());
			query.setTimestamp(2, Timestamp.from(to.minus(Duration.ofHours(24))));
			query.setTimestamp(3, Timestamp.from(to));
			try (ResultSet row = query.executeQuery()) {
				row.next();
				return new DayTotals(row.getInt(1), row.getBigDecimal(2));
			}
		}
	}

	private static void assertSummary(Matcher summary, DayTotals expected) {
		assertThat(Integer.parseInt(summary.group(1))).isEqualTo(expected.workflows());
		// jq adds the decimal strings as doubles: equal to within floating-point noise.
		assertThat(new BigDecimal(summary.group(2)).subtract(expected.cost()).abs())
			.isLessThan(new BigDecimal("0.000001"));
	}

	private static JsonNode findRun(String list, Predicate<JsonNode> wanted) throws Exception {
		for (JsonNode run : get(list, "/api/runs").path("runs")) {
			JsonNode detail = get("/api/runs/" + run.path("id").asString(), "/api/runs/{runId}");
			if (wanted.test(detail)) {
				return detail;
			}
		}
		throw new AssertionError("No run in " + list + " has what the test needs");
	}

	/** A 200 from {@code path}, checked against the description of {@code template}. */
	private static JsonNode get(String path, String template) throws IOException, InterruptedException {
		HttpResponse<String> response = request(path, demo.token());
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
		JsonNode body = JSON.readTree(response.body());
		assertThat(openApi.violations(template, 200, body)).as(path).isEmpty();
		for (String header : openApi.declaredHeaders(template, 200)) {
			assertThat(response.headers().firstValue(header)).as(path + " " + header).isPresent();
			assertThat(openApi.headerViolations(template, 200, header, response.headers().firstValue(header).get()))
				.as(path + " " + header)
				.isEmpty();
		}
		return body;
	}

	private static void assertError(HttpResponse<String> response, String template, int status, String code) {
		assertThat(response.statusCode()).isEqualTo(status);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.path("code").asString()).isEqualTo(code);
		assertThat(openApi.violations(template, status, body)).isEmpty();
	}

	private static HttpResponse<String> request(String path, String token) throws IOException, InterruptedException {
		return request(path, token, "application/json");
	}

	private static HttpResponse<String> request(String path, String token, String accept)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(demo.url() + path.replace(" ", "%20")))
			.header("Accept", accept);
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A workflow name as one path segment: a space is %20 there, not +. */
	private static String segment(String name) {
		return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/**
	 * The projector's own check agrees with what it projected: the back-fill and live
	 * runs carry nanosecond timestamps, which once left durations 1 ms off the stored
	 * difference and made {@code verify} exit 1 on a fresh demo.
	 */
	@Test
	void verifyFindsNoDriftAfterTheBackfillAndLiveTrafficWithNanosecondClocks() throws Exception {
		long published = demo.simulator().published();
		await().atMost(Duration.ofSeconds(90)).until(() -> demo.simulator().published() >= published + 100);
		demo.awaitProjected(Duration.ofSeconds(60));

		String output = ServiceProcess.run(jar("trakr.projector.jar"), demo.stack().environment(), "verify");

		assertThat(output).contains("0 rollup bucket(s) differ");
	}

	/**
	 * Every Actuator path the README names answers on both services, and every metric it
	 * names is registered by one of them (their names from {@code /actuator/metrics}).
	 */
	@Test
	void theActuatorPathsAndMetricsTheReadmeNamesExist() throws Exception {
		ReadmeClaims readme = new ReadmeClaims(REPOSITORY.resolve("README.md"));
		List<URI> services = List.of(demo.readApiManagement(), demo.projectorManagement());
		assertThat(readme.actuatorPaths()).contains("/actuator/health", "/actuator/metrics", "/actuator/prometheus");
		for (String path : readme.actuatorPaths()) {
			for (URI service : services) {
				HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.resolve(path)).build(),
						HttpResponse.BodyHandlers.ofString());
				assertThat(response.statusCode()).as(service.resolve(path).toString()).isEqualTo(200);
			}
		}
		Set<String> registered = new TreeSet<>();
		for (URI service : services) {
			HttpResponse<String> response = http.send(
					HttpRequest.newBuilder(service.resolve("/actuator/metrics")).build(),
					HttpResponse.BodyHandlers.ofString());
			JSON.readTree(response.body()).path("names").forEach((name) -> registered.add(name.asString()));
		}
		assertThat(readme.metricNames()).contains("trakr.projector.records", "trakr.ratelimit.decisions",
				"http.server.requests");
		assertThat(registered).containsAll(readme.metricNames());
	}

	private static Path jar(String property) {
		Path jar = Path.of(System.getProperty(property, ""));
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("Run through Maven: " + property + " must name the packaged jar");
		}
		return jar;
	}

}
