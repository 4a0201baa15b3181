package run.trakr.readapi.auth;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.RunRows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.API_TOKENS;

@ExtendWith({ LocalStackExtension.class, OutputCaptureExtension.class })
class AccessControlIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * Runs of the valid token's org, seeded so that every route has something to answer.
	 */
	static final UUID RUN_A = UUID.fromString("8d0f6f1e-1111-4a53-9a58-2c1e6f3a9d10");

	static final UUID RUN_B = UUID.fromString("8d0f6f1e-2222-4a53-9a58-2c1e6f3a9d10");

	static final UUID RUN_C = UUID.fromString("8d0f6f1e-3333-4a53-9a58-2c1e6f3a9d10");

	static final List<String> ALLOWLISTED_ROUTES = List.of("/api/runs", "/api/runs/" + RUN_A,
			"/api/runs/compare?run_a=" + RUN_A + "&run_b=" + RUN_B, "/api/workflows",
			"/api/workflows/support%2Ftriage%20v2/stats", "/api/workflows/r%C3%A9sum%C3%A9/tools", "/api/alert-events",
			"/api/metrics/overview");

	static ReadApiInstance api;

	static Admin admin;

	static OrgToken valid;

	static OrgToken revoked;

	@BeforeAll
	static void start(LocalStack stack) {
		api = ReadApiInstance.start(stack);
		admin = new Admin(stack);
		valid = admin.createOrgWithToken("pro");
		revoked = admin.createOrgWithToken("starter");
		admin.revoke(revoked);
		DSLContext db = api.context().getBean(DSLContext.class);
		OffsetDateTime anHourAgo = OffsetDateTime.now(ZoneOffset.UTC).minusHours(1);
		RunRows.insert(db, valid.orgId(), RUN_A, "support/triage v2", anHourAgo);
		RunRows.insert(db, valid.orgId(), RUN_B, "support/triage v2", anHourAgo.plusMinutes(1));
		RunRows.insert(db, valid.orgId(), RUN_C, "résumé", anHourAgo.plusMinutes(2));
	}

	@AfterAll
	static void stop() {
		api.close();
	}

	static Stream<Arguments> routesAndCredentials() {
		List<Arguments> cases = new ArrayList<>();
		for (String route : ALLOWLISTED_ROUTES) {
			cases.add(Arguments.of(route, "no header", null, 401, "missing_token"));
			cases.add(Arguments.of(route, "Basic", "Basic dXNlcjpwYXNz", 401, "invalid_token"));
			cases.add(Arguments.of(route, "ingest key", "Bearer tk_live_0123456789abcdef0123456789abcdef", 401,
					"ingest_key_not_allowed"));
			cases.add(Arguments.of(route, "malformed", "Bearer tk_read_NOT-HEX", 401, "invalid_token"));
			cases.add(Arguments.of(route, "unknown", "Bearer " + ReadToken.generate(), 401, "invalid_token"));
			cases.add(Arguments.of(route, "revoked", "revoked", 401, "revoked_token"));
			cases.add(Arguments.of(route, "valid", "valid", 200, null));
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0} with {1}")
	@MethodSource("routesAndCredentials")
	void everyAllowlistedRouteAnswersEachCredentialWithTheRightCode(String route, String kind, String authorization,
			int status, String code, CapturedOutput output) {
		String header = switch (String.valueOf(authorization)) {
			case "valid" -> "Bearer " + valid.token();
			case "revoked" -> "Bearer " + revoked.token();
			default -> authorization;
		};

		HttpResponse<String> response = api.get(route, header);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		JsonNode body = JSON.readTree(response.body());
		if (code != null) {
			assertThat(body.path("code").asString()).isEqualTo(code);
			assertThat(body.path("error").asString()).isNotBlank();
			assertThat(fieldNames(body)).containsExactlyInAnyOrder("error", "code");
			assertThat(response.headers().firstValue("WWW-Authenticate"))
				.hasValueSatisfying(value -> assertThat(value).startsWith("Bearer").contains(code));
			assertThat(response.headers().firstValue("RateLimit")).isEmpty();
		}
		else {
			assertThat(body.isObject()).isTrue();
			assertThat(body.has("code")).isFalse();
			assertThat(response.headers().firstValue("RateLimit-Policy")).hasValue("\"default\";q=300;w=60");
			assertThat(response.headers().firstValue("RateLimit"))
				.hasValueSatisfying(value -> assertThat(value).matches("\"default\";r=\\d+;t=\\d+"));
		}
		if (header != null && header.startsWith("Bearer tk_")) {
			String secret = header.substring("Bearer ".length());
			assertThat(output.getAll()).doesNotContain(secret);
			assertThat(response.body()).doesNotContain(secret);
		}
	}

	@Test
	void workflowNamesWithEncodedSlashesReachTheirRouteAsOneSegment() {
		JsonNode body = JSON.readTree(api.get("/api/workflows/support%2Ftriage%20v2/stats", bearer(valid)).body());
		assertThat(body.path("workflow_name").asString()).isEqualTo("support/triage v2");
		JsonNode accented = JSON.readTree(api.get("/api/workflows/r%C3%A9sum%C3%A9/tools", bearer(valid)).body());
		assertThat(accented.path("workflow_name").asString()).isEqualTo("résumé");
	}

	static Stream<Arguments> routesOutsideTheAllowlist() {
		return Stream.of(Arguments.of("GET", "/api/org/context"), Arguments.of("POST", "/api/runs"),
				Arguments.of("PATCH", "/api/alert-events/8d0f6f1e-1111-4a53-9a58-2c1e6f3a9d10"),
				Arguments.of("DELETE", "/api/runs/8d0f6f1e-1111-4a53-9a58-2c1e6f3a9d10"),
				Arguments.of("PUT", "/api/workflows"), Arguments.of("POST", "/api/tokens"),
				Arguments.of("HEAD", "/api/runs"), Arguments.of("OPTIONS", "/api/runs"),
				Arguments.of("GET", "/api/unknown"), Arguments.of("GET", "/"),
				Arguments.of("GET", "/api/runs/8d0f6f1e-1111-4a53-9a58-2c1e6f3a9d10/extra"),
				Arguments.of("GET", "/api/workflows/triage"), Arguments.of("GET", "/api/runs/"),
				Arguments.of("GET", "/actuator/health"), Arguments.of("GET", "/api/runs;jsessionid=1"));
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("routesOutsideTheAllowlist")
	void everyOtherMethodOrPathIsRouteNotAllowedEvenWithAValidToken(String method, String path) {
		HttpResponse<String> response = api.send(method, path, bearer(valid));

		assertThat(response.statusCode()).isEqualTo(401);
		if (!method.equals("HEAD")) {
			assertThat(JSON.readTree(response.body()).path("code").asString()).isEqualTo("route_not_allowed");
		}
	}

	@Test
	void theOrgComesFromTheTokenNeverFromTheRequest() {
		OrgToken other = admin.createOrgWithToken("scale");

		HttpResponse<String> response = api.get("/api/runs?org_id=" + other.orgId(), bearer(valid));

		assertThat(runIds(response)).containsExactly(RUN_C.toString(), RUN_B.toString(), RUN_A.toString());
		assertThat(runIds(api.get("/api/runs?org_id=" + valid.orgId(), bearer(other)))).isEmpty();
		assertThat(api.get("/api/runs/" + RUN_A, bearer(other)).statusCode()).isEqualTo(404);
	}

	@Test
	void handlerFailuresUseTheErrorShapeAndRevealNothingInternal() {
		HttpResponse<String> notFound = api.get("/api/runs/" + UUID.randomUUID(), bearer(valid));
		assertThat(notFound.statusCode()).isEqualTo(404);
		assertThat(JSON.readTree(notFound.body()).path("code").asString()).isEqualTo("not_found");

		HttpResponse<String> failure = api.get("/api/runs/" + RUN_A + "?simulate=boom", bearer(valid));
		assertThat(failure.statusCode()).isEqualTo(500);
		assertThat(JSON.readTree(failure.body()).path("code").asString()).isEqualTo("internal_error");
		assertThat(failure.body()).doesNotContain("SELECT", "secret", "Exception", "at run.");

		HttpResponse<String> unavailable = api.get("/api/runs/" + RUN_A + "?simulate=database-down", bearer(valid));
		assertThat(unavailable.statusCode()).isEqualTo(503);
		assertThat(JSON.readTree(unavailable.body()).path("code").asString()).isEqualTo("service_unavailable");
		assertThat(unavailable.body()).doesNotContain("10.0.0.1");

		HttpResponse<String> badParameter = api.get("/api/runs?limit=lots", bearer(valid));
		assertThat(badParameter.statusCode()).isEqualTo(400);
		JsonNode bad = JSON.readTree(badParameter.body());
		assertThat(bad.path("code").asString()).isEqualTo("invalid_parameter");
		assertThat(bad.path("details").get(0).path("param").asString()).isEqualTo("limit");
	}

	@Test
	void malformedRequestsRejectedByTheContainerStillGetTheErrorShape() {
		Map.Entry<Integer, String> response = api.sendRaw("/api/runs/%zz", bearer(valid));

		assertThat(response.getKey()).isEqualTo(400);
		assertThat(response.getValue()).contains("\"code\":\"invalid_parameter\"");
	}

	@Test
	void lastUsedAtIsKeptCurrentWithoutAWritePerRequest(LocalStack stack) {
		OrgToken token = admin.createOrgWithToken("pro");
		DSLContext db = api.context().getBean(DSLContext.class);
		assertThat(lastUsed(db, token)).isNull();

		api.get("/api/runs", bearer(token));

		OffsetDateTime first = await().atMost(Duration.ofSeconds(15))
			.until(() -> lastUsed(db, token), value -> value != null);
		assertThat(first).isBetween(OffsetDateTime.now().minusMinutes(1), OffsetDateTime.now());
		for (int i = 0; i < 20; i++) {
			api.get("/api/workflows", bearer(token));
		}
		// Within the staleness bound the stored value is good enough: no more writes.
		await().pollDelay(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(8)).until(() -> true);
		assertThat(lastUsed(db, token)).isEqualTo(first);
		assertThat(admin.run("token", "list", "--org", token.orgId().toString())).doesNotContain("last used never")
			.doesNotContain(token.token())
			.contains(token.token().substring(0, 12) + "…");
	}

	@Test
	void withPostgresUnreachableAnIngestKeyIsStillRefusedAndLookupsAre503(LocalStack stack) {
		try (ReadApiInstance noDatabase = ReadApiInstance.start(stack, Map.of("spring.datasource.url",
				"jdbc:postgresql://127.0.0.1:1/trakr", "spring.flyway.enabled", "false"))) {
			HttpResponse<String> ingestKey = noDatabase.get("/api/runs",
					"Bearer tk_live_0123456789abcdef0123456789abcdef");
			assertThat(ingestKey.statusCode()).isEqualTo(401);
			assertThat(JSON.readTree(ingestKey.body()).path("code").asString()).isEqualTo("ingest_key_not_allowed");

			HttpResponse<String> lookup = noDatabase.get("/api/runs", bearer(valid));
			assertThat(lookup.statusCode()).isEqualTo(503);
			assertThat(JSON.readTree(lookup.body()).path("code").asString()).isEqualTo("service_unavailable");
			assertThat(lookup.body()).doesNotContain("jdbc", "127.0.0.1");
		}
	}

	private static OffsetDateTime lastUsed(DSLContext db, OrgToken token) {
		return db.select(API_TOKENS.LAST_USED_AT)
			.from(API_TOKENS)
			.where(API_TOKENS.TOKEN_ID.eq(token.tokenId()))
			.fetchOne(API_TOKENS.LAST_USED_AT);
	}

	static String bearer(OrgToken token) {
		return "Bearer " + token.token();
	}

	private static List<String> fieldNames(JsonNode node) {
		List<String> names = new ArrayList<>();
		node.propertyNames().forEach(names::add);
		return names;
	}

	private static List<String> runIds(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		List<String> ids = new ArrayList<>();
		JSON.readTree(response.body()).path("runs").forEach((run) -> ids.add(run.path("id").asString()));
		return ids;
	}

}
