package run.trakr.readapi.run;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
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
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.RUNS;

/**
 * Streamed exports of {@code /api/runs} (extensions.md §4) over 200,000 runs in real
 * PostgreSQL: NDJSON and CSV (read back by Commons CSV) hold exactly the rows the JSON
 * route pages through, from one snapshot, and a client that goes away frees its
 * connection at once.
 */
@ExtendWith(LocalStackExtension.class)
class RunExportIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final int RUNS_IN_ORG = 200_000;

	/** Names a CSV writer must quote: a comma, a quote, a line break. */
	private static final List<String> AWKWARD_NAMES = List.of("plain", "with, comma", "say \"hi\"", "two\nlines",
			"crlf\r\nend", "résumé 100%");

	private static final String WINDOW = "from=2026-01-01T00:00:00Z&to=2026-12-31T23:59:59Z";

	/**
	 * Costs repeat (ties broken by run id), some runs are still running, some lack an
	 * external id: every column takes its empty and its awkward values.
	 */
	private static final String SEED = """
			INSERT INTO runs (org_id, run_id, workflow_name, started_at, run_id_external, status, ended_at,
			                  duration_ms, cost_usd, total_tokens, llm_call_count, tool_use_count)
			SELECT ?::uuid, gen_random_uuid(), (?::text[])[1 + i % 6],
			       timestamptz '2026-03-01T00:00:00Z' + i * interval '97 seconds' + (i % 1000) * interval '1 microsecond',
			       CASE WHEN i % 3 = 0 THEN NULL ELSE 'ext-' || i END,
			       CASE WHEN i % 7 = 0 THEN 'running' WHEN i % 5 = 0 THEN 'error' ELSE 'success' END,
			       CASE WHEN i % 7 = 0 THEN NULL
			            ELSE timestamptz '2026-03-01T00:00:00Z' + i * interval '97 seconds' + interval '1.5 seconds' END,
			       CASE WHEN i % 7 = 0 THEN NULL ELSE 1500 END,
			       (i % 977) / 10000.0, i % 5000, i % 9, i % 4
			FROM generate_series(1, ?) AS i
			""";

	static ReadApiInstance api;

	static OrgToken caller;

	static DSLContext db;

	@BeforeAll
	static void start(LocalStack stack) throws Exception {
		// Exports and the JSON pages compared with them: the quota is not under test.
		api = ReadApiInstance.start(stack, Map.of("trakr.rate-limit.limit", "1000000"));
		Admin admin = new Admin(stack);
		caller = admin.createOrgWithToken("pro");
		// The seeded runs are dated (2026): kept however far the calendar has moved.
		admin.run("org", "set-retention", "--org", caller.orgId().toString(), "--days", "1100");
		db = api.context().getBean(DSLContext.class);
		String[] names = AWKWARD_NAMES.toArray(String[]::new);
		// Its own connection: the API's pool has a 4 s statement timeout.
		try (Connection seeding = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(),
				stack.postgresPassword())) {
			DSLContext seed = DSL.using(seeding, SQLDialect.POSTGRES);
			seed.execute(SEED, caller.orgId(), names, RUNS_IN_ORG);
			seed.execute("ANALYZE runs");
		}
	}

	@AfterAll
	static void stop() {
		api.close();
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/x-ndjson", "text/csv" })
	void anExportHoldsExactlyTheRowsTheJsonRoutePagesThrough(String accept) throws Exception {
		String query = "workflow=" + encode("with, comma") + "&workflow=" + encode("say \"hi\"")
				+ "&status=error&status=running&cost_min=0.01&sort=cost_desc&" + WINDOW;
		List<JsonNode> paged = new ArrayList<>();
		String cursor = null;
		do {
			JsonNode page = JSON.readTree(
					api.get("/api/runs?limit=100&" + query + ((cursor != null) ? "&cursor=" + cursor : ""), bearer())
						.body());
			page.path("runs").forEach(paged::add);
			cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
		}
		while (cursor != null);
		assertThat(paged).hasSizeGreaterThan(500);

		HttpResponse<String> export = send("/api/runs?" + query, accept);
		assertThat(export.statusCode()).isEqualTo(200);
		assertThat(export.headers().firstValue("Content-Type").orElseThrow()).startsWith(accept);
		assertThat(rows(accept, export.body())).isEqualTo(paged);
	}

	@Test
	void everyRunOfTheOrgIsExportedOnceInOrderAsNdjsonAndCsvAlike() throws Exception {
		String query = "/api/runs?sort=started_at_asc&" + WINDOW;
		List<JsonNode> ndjson = rows("application/x-ndjson", send(query, "application/x-ndjson").body());
		List<JsonNode> csv = rows("text/csv", send(query, "text/csv").body());
		assertThat(ndjson).hasSize(RUNS_IN_ORG);
		assertThat(csv).isEqualTo(ndjson);
		Set<String> ids = new HashSet<>();
		String previous = "";
		for (JsonNode run : ndjson) {
			assertThat(ids.add(run.path("id").asString())).isTrue();
			assertThat(run.path("started_at").asString()).isGreaterThanOrEqualTo(previous);
			previous = run.path("started_at").asString();
		}
		assertThat(ndjson.stream().map(run -> run.path("workflow_name").asString()).distinct())
			.containsExactlyInAnyOrderElementsOf(AWKWARD_NAMES);
	}

	/**
	 * The export reads one snapshot: a run that moves in the sort order while the export
	 * is being read (its cost raised above every other) is neither lost nor repeated.
	 */
	@Test
	void aRunChangedWhileTheExportRunsAppearsOnceInItsStateAtTheStart() throws Exception {
		HttpResponse<InputStream> response = HTTP.send(
				request("/api/runs?sort=cost_asc&" + WINDOW, "application/x-ndjson"),
				HttpResponse.BodyHandlers.ofInputStream());
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
			JsonNode first = JSON.readTree(lines.readLine());
			String moved = first.path("id").asString();
			db.update(RUNS)
				.set(RUNS.COST_USD, new BigDecimal("999"))
				.where(RUNS.ORG_ID.eq(caller.orgId()))
				.and(RUNS.RUN_ID.eq(UUID.fromString(moved)))
				.execute();
			int seen = 1;
			int count = 1;
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				JsonNode run = JSON.readTree(line);
				count++;
				if (run.path("id").asString().equals(moved)) {
					seen++;
				}
			}
			assertThat(count).isEqualTo(RUNS_IN_ORG);
			assertThat(seen).isEqualTo(1);
		}
		finally {
			db.update(RUNS)
				.set(RUNS.COST_USD, BigDecimal.ZERO)
				.where(RUNS.ORG_ID.eq(caller.orgId()))
				.and(RUNS.COST_USD.eq(new BigDecimal("999")))
				.execute();
		}
	}

	@Test
	void aClientThatLeavesAfterTenRowsFreesTheConnectionWithinASecond() throws Exception {
		HikariDataSource pool = api.context().getBean(HikariDataSource.class);
		HttpResponse<InputStream> response = HTTP.send(request("/api/runs?" + WINDOW, "application/x-ndjson"),
				HttpResponse.BodyHandlers.ofInputStream());
		BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
		for (int i = 0; i < 10; i++) {
			assertThat(lines.readLine()).isNotNull();
		}
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("the export holds its connection")
			.isGreaterThanOrEqualTo(1);
		lines.close();
		await().atMost(Duration.ofSeconds(1))
			.pollInterval(Duration.ofMillis(20))
			.untilAsserted(() -> assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero());
	}

	@Test
	void acceptDecidesTheFormatAndAnAcceptNoFormatMeetsIs406WithTheErrorShape() throws Exception {
		String path = "/api/runs?limit=3&" + WINDOW;
		for (String json : new String[] { "application/json", "*/*", "application/*",
				"text/csv;q=0.5, application/json" }) {
			HttpResponse<String> response = send(path, json);
			assertThat(response.statusCode()).as(json).isEqualTo(200);
			assertThat(JSON.readTree(response.body()).path("runs")).as(json).hasSize(3);
		}
		assertThat(api.get(path, bearer()).headers().firstValue("Content-Type").orElseThrow())
			.startsWith("application/json");
		for (String refused : new String[] { "text/html", "application/xml", "application/x-ndjson;q=0, text/html" }) {
			HttpResponse<String> response = send("/api/runs?" + WINDOW, refused);
			assertThat(response.statusCode()).as(refused).isEqualTo(406);
			assertThat(JSON.readTree(response.body()).path("code").asString()).isEqualTo("not_acceptable");
		}
		HttpResponse<String> csvForStats = send("/api/workflows/plain/stats", "application/x-ndjson");
		assertThat(csvForStats.statusCode()).as("no NDJSON for stats").isEqualTo(406);
		HttpResponse<String> paging = send("/api/runs?limit=10&" + WINDOW, "text/csv");
		assertThat(paging.statusCode()).as("an export has no pages").isEqualTo(400);
		assertThat(paging.body()).contains("limit");
	}

	/** NDJSON lines, or CSV records turned into the same JSON objects. */
	private static List<JsonNode> rows(String accept, String body) throws Exception {
		List<JsonNode> rows = new ArrayList<>();
		if (accept.equals("application/x-ndjson")) {
			// Every line one object and nothing else, the last one ended too.
			assertThat(body).endsWith("}\n");
			for (String line : body.split("\n")) {
				assertThat(line).startsWith("{").endsWith("}");
				rows.add(JSON.readTree(line));
			}
			return rows;
		}
		try (Reader in = new StringReader(body)) {
			for (CSVRecord record : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
				var run = JSON.createObjectNode();
				run.put("id", record.get("id"));
				run.put("workflow_name", record.get("workflow_name"));
				putText(run, "run_id_external", record.get("run_id_external"));
				run.put("status", record.get("status"));
				run.put("cost_usd", record.get("cost_usd"));
				run.put("total_tokens", Long.parseLong(record.get("total_tokens")));
				if (record.get("duration_ms").isEmpty()) {
					run.putNull("duration_ms");
				}
				else {
					run.put("duration_ms", Long.parseLong(record.get("duration_ms")));
				}
				run.put("llm_call_count", Integer.parseInt(record.get("llm_call_count")));
				run.put("tool_use_count", Integer.parseInt(record.get("tool_use_count")));
				putText(run, "started_at", record.get("started_at"));
				putText(run, "ended_at", record.get("ended_at"));
				// Re-read, so numbers compare by value and not by the node type built
				// here.
				rows.add(JSON.readTree(run.toString()));
			}
		}
		return rows;
	}

	private static void putText(tools.jackson.databind.node.ObjectNode run, String name, String value) {
		if (value.isEmpty()) {
			run.putNull(name);
		}
		else {
			run.put(name, value);
		}
	}

	private static HttpResponse<String> send(String path, String accept) throws Exception {
		return HTTP.send(request(path, accept), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	private static HttpRequest request(String path, String accept) {
		return HttpRequest.newBuilder(api.uri(path))
			.header("Authorization", bearer())
			.header("Accept", accept)
			.timeout(Duration.ofSeconds(60))
			.build();
	}

	private static String encode(String text) {
		return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
	}

	private static String bearer() {
		return "Bearer " + caller.token();
	}

}
