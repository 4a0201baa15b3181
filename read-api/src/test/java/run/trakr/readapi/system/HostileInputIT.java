package run.trakr.readapi.system;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

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

import run.trakr.readapi.query.Cursors;
import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.RollupRows;
import run.trakr.readapitest.support.RunRows;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.ALERT_EVENTS;

/**
 * What one valid token could send to hurt the service: windows spanning the whole
 * calendar, text PostgreSQL refuses, more parameters than any route reads, digits of
 * other scripts, forged cursors, two credentials. Each is a clean 4xx or a fast, exact
 * answer, never a 5xx.
 */
@ExtendWith(LocalStackExtension.class)
class HostileInputIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final OffsetDateTime DAY = OffsetDateTime.parse("2026-11-01T00:00:00Z");

	/**
	 * Far more than a request on a few rollup rows takes, far less than the 10 s that
	 * once exhausted the heap.
	 */
	private static final Duration BOUND = Duration.ofSeconds(2);

	static ReadApiInstance api;

	static OrgToken caller;

	static DSLContext db;

	@BeforeAll
	static void start(LocalStack stack) {
		api = ReadApiInstance.start(stack);
		caller = new Admin(stack).createOrgWithToken("pro");
		db = api.context().getBean(DSLContext.class);
		RollupRows.insertDay(db, caller.orgId(), "triage", DAY, 0, 4);
		RollupRows.bump(db, caller.orgId(), 0, 86400, DAY);
		RunRows.insert(db, caller.orgId(), UUID.randomUUID(), "triage", DAY.plusHours(1));
		RunRows.insert(db, caller.orgId(), UUID.randomUUID(), "a,b", DAY.plusHours(2));
		RunRows.insert(db, caller.orgId(), UUID.randomUUID(), "a,b", DAY.plusHours(3));
	}

	@AfterAll
	static void stop() {
		api.close();
	}

	@ParameterizedTest
	@ValueSource(strings = { "from=0001-01-02T00:00:00Z&to=9999-12-31T23:59:59Z",
			"from=0001-01-03T00:00:00.5Z&to=9999-12-31T23:59:59.999999Z", "from=0001-01-01T00:00:00Z",
			"to=0001-01-02T00:00:00.5Z" })
	void aWindowSpanningTheCalendarIsAnsweredExactlyAndFast(String window) {
		long runs = window.startsWith("to=0001") ? 0 : 4;
		for (int round = 0; round < 3; round++) {
			assertThat(runCount(get("/api/workflows?" + window).get("workflows"))).isEqualTo(runs);
			assertThat(get("/api/metrics/overview?" + window).get("run_count").asLong()).isEqualTo(runs);
			assertThat(get("/api/runs?workflow=triage&" + window).get("total_count").asLong()).isEqualTo(runs);
			assertThat(get("/api/workflows/triage/tools?" + window).get("tools").size()).isZero();
		}
	}

	@Test
	void thePreviousPeriodOfAWindowFromYearOneIsEmptyNotAnError() {
		JsonNode overview = get("/api/metrics/overview?from=0001-01-01T00:00:00Z&to=0002-01-01T00:00:00Z");
		assertThat(overview.get("previous_period").get("run_count").asLong()).isZero();
		assertThat(overview.get("previous_period").get("from").asString()).isEqualTo("0001-01-01T00:00:00.000Z");

		JsonNode later = get("/api/metrics/overview?from=0001-06-01T00:00:00Z&to=2026-12-01T00:00:00Z");
		assertThat(later.get("run_count").asLong()).isEqualTo(4);
		assertThat(later.get("previous_period").get("from").asString()).isEqualTo("0001-01-01T00:00:00.000Z");
		assertThat(later.get("previous_period").get("to").asString()).isEqualTo("0001-05-31T23:59:59.999Z");
	}

	@ParameterizedTest
	@ValueSource(strings = { "/api/runs?workflow=%00", "/api/alert-events?rule_id=a%00", "/api/runs?workflow=a%0Ab",
			"/api/runs?cursor=%1B", "/api/workflows/a%01b/stats", "/api/workflows/a%7Fb/tools",
			"/api/runs?cost_min=%EF%BC%91", "/api/runs?limit=%EF%BC%91%EF%BC%90",
			"/api/metrics/overview?from=0001-01-01T00:00:00%2B01:00", "/api/workflows?to=10000-01-01T00:00:00Z",
			"/api/runs?=1", "/api/runs?cost_min=1&=x", "/api/workflows/a/stats?interval=minute&=" })
	void textPostgresqlRefusesAndDigitsOfOtherScriptsAreA400(String path) {
		HttpResponse<String> response = api.get(path, "Bearer " + caller.token());

		assertInvalidParameter(response);
	}

	@ParameterizedTest
	@ValueSource(ints = { 101, 1_001, 5_000 })
	void moreParametersThanAnyRouteReadsIsA400(int count) {
		String query = IntStream.range(0, count).mapToObj(i -> "workflow=w" + i).collect(Collectors.joining("&"));

		assertInvalidParameter(api.get("/api/runs?" + query, "Bearer " + caller.token()));
	}

	@Test
	void aHundredParametersAreStillRead() {
		// A fixed window holding the seeded day, whatever today's date.
		String query = IntStream.range(0, 97).mapToObj(i -> "workflow=w" + i).collect(Collectors.joining("&"));

		assertThat(get("/api/runs?from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z&workflow=triage&" + query)
			.get("total_count")
			.asLong()).isEqualTo(4);
	}

	@Test
	void aSignedCursorWhoseValuesNoQueryCouldHoldIsInvalid() {
		Cursors cursors = api.context().getBean(Cursors.class);
		String fingerprint = Cursors.fingerprint("runs", List.of(), "", "null", "null", "-", "-", "started_at_desc");
		List<List<String>> forged = List.of(
				List.of("-1000000000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59.999999999Z", "2026-11-01T00:00:00Z",
						UUID.randomUUID().toString()),
				List.of("2026-11-01T00:00:00Z", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z",
						UUID.randomUUID().toString()),
				List.of("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "0000-01-01T00:00:00Z",
						UUID.randomUUID().toString()),
				List.of("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z", "1-1-1-1-1"));
		for (List<String> values : forged) {
			String cursor = cursors.encode(caller.orgId(), fingerprint, values);

			HttpResponse<String> response = api.get("/api/runs?cursor=" + cursor, "Bearer " + caller.token());

			assertThat(response.statusCode()).as(values + ": " + response.body()).isEqualTo(400);
			assertThat(JSON.readTree(response.body()).get("code").asString()).isEqualTo("invalid_cursor");
		}
	}

	@Test
	void aCursorForOneListOfWorkflowsIsNotValidForAnotherThatJoinsTheSame() {
		JsonNode first = get("/api/runs?workflow=a,b&limit=1&from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z");
		String cursor = first.get("next_cursor").asString();
		assertThat(cursor).isNotBlank();

		HttpResponse<String> other = api
			.get("/api/runs?workflow=a&workflow=b&limit=1&from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z&cursor="
					+ cursor, "Bearer " + caller.token());

		assertThat(other.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(other.body()).get("code").asString()).isEqualTo("invalid_cursor");
	}

	@Test
	void aCursorWithoutARuleFilterIsNotValidForTheRuleNamedNull() {
		for (int i = 0; i < 2; i++) {
			db.insertInto(ALERT_EVENTS)
				.set(ALERT_EVENTS.ORG_ID, caller.orgId())
				.set(ALERT_EVENTS.ALERT_EVENT_ID, UUID.randomUUID())
				.set(ALERT_EVENTS.ALERT_RULE_ID, "null")
				.set(ALERT_EVENTS.FIRED_AT, DAY.plusHours(i))
				.execute();
		}
		String window = "&from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z";
		String cursor = get("/api/alert-events?limit=1" + window).get("next_cursor").asString();
		assertThat(cursor).isNotBlank();

		HttpResponse<String> other = api.get("/api/alert-events?limit=1&rule_id=null&cursor=" + cursor + window,
				"Bearer " + caller.token());

		assertThat(other.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(other.body()).get("code").asString()).isEqualTo("invalid_cursor");
	}

	@Test
	void twoAuthorizationHeadersAreRefused() {
		Map.Entry<Integer, String> response = api.sendRaw("/api/workflows",
				"Bearer " + caller.token() + "\r\nAuthorization: Bearer " + caller.token());

		assertThat(response.getKey()).isEqualTo(401);
		assertThat(JSON.readTree(response.getValue()).get("code").asString()).isEqualTo("invalid_token");
	}

	@Test
	void prometheusIsScrapedOnTheManagementPort() {
		get("/api/workflows");
		HttpResponse<String> scrape = api.management("/actuator/prometheus");

		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body()).contains("http_server_requests_seconds_count", "trakr_ratelimit_decisions_total");
	}

	@Test
	void theManagementPortAnswersOnLoopbackOnly() throws Exception {
		int port = Integer.parseInt(api.context().getEnvironment().getProperty("local.management.port"));
		InetAddress external = NetworkInterface.networkInterfaces()
			.flatMap(NetworkInterface::inetAddresses)
			.filter(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress())
			.findFirst()
			.orElse(null);
		org.junit.jupiter.api.Assumptions.assumeTrue(external != null, "no address but loopback here");

		try (Socket socket = new Socket()) {
			org.assertj.core.api.Assertions
				.assertThatThrownBy(() -> socket.connect(new InetSocketAddress(external, port), 2000))
				.isInstanceOf(java.io.IOException.class);
		}
		assertThat(api.management("/actuator/health").statusCode()).isEqualTo(200);
	}

	private static JsonNode get(String path) {
		long started = System.nanoTime();
		HttpResponse<String> response = api.get(path, "Bearer " + caller.token());
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
		assertThat(took).as(path).isLessThan(BOUND);
		return JSON.readTree(response.body());
	}

	static void assertInvalidParameter(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.uri() + ": " + response.body()).isEqualTo(400);
		JsonNode body = JSON.readTree(response.body());
		assertThat(body.get("code").asString()).isEqualTo("invalid_parameter");
		assertThat(body.get("error").asString()).isNotBlank();
	}

	private static long runCount(JsonNode workflows) {
		long total = 0;
		for (JsonNode workflow : workflows) {
			total += workflow.get("run_count").asLong();
		}
		return total;
	}

}
