package run.trakr.readapi.system;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import run.trakr.readapi.auth.ReadToken;
import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.RunRows;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded, reproducible requests over every route, parameter and credential: valid values,
 * boundaries and hostile ones (control characters, huge and foreign-script numbers,
 * calendar-spanning windows, repeated and unknown parameters, forged cursors, two
 * credentials). None may get a 5xx, every 4xx has the error shape, no body or log line
 * shows a stack trace or a token, and each is answered within {@link #BOUND}.
 */
@ExtendWith({ LocalStackExtension.class, OutputCaptureExtension.class })
class RequestFuzzIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final long SEED = Long.getLong("fuzz.seed", 20261130L);

	private static final int REQUESTS = Integer.getInteger("fuzz.requests", 3_000);

	/** Generous for a busy CI machine; BENCHMARKS.md has the measured worst. */
	private static final Duration BOUND = Duration.ofSeconds(3);

	private static final Set<String> CODES = Set.of("missing_token", "invalid_token", "revoked_token",
			"ingest_key_not_allowed", "route_not_allowed", "plan_upgrade_required", "not_found", "method_not_allowed",
			"invalid_parameter", "invalid_cursor", "rate_limited");

	private static final UUID RUN = UUID.fromString("6a1c0e52-5d6f-4f0e-9c1b-1f2e3d4c5b6a");

	static ReadApiInstance api;

	static OrgToken pro;

	static OrgToken starter;

	static OrgToken revoked;

	@BeforeAll
	static void start(LocalStack stack) {
		api = ReadApiInstance.start(stack, Map.of("trakr.rate-limit.limit", "1000000"));
		Admin admin = new Admin(stack);
		pro = admin.createOrgWithToken("pro");
		starter = admin.createOrgWithToken("starter");
		revoked = admin.createOrgWithToken("scale");
		admin.revoke(revoked);
		DSLContext db = api.context().getBean(DSLContext.class);
		OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
		RunRows.insert(db, pro.orgId(), RUN, "triage", now.minusHours(2));
		for (int i = 0; i < 30; i++) {
			RunRows.insert(db, pro.orgId(), UUID.randomUUID(), (i % 2 == 0) ? "triage" : "a,b",
					now.minusMinutes(7L * i + 3));
		}
	}

	@AfterAll
	static void stop() {
		api.close();
	}

	@Test
	void noGeneratedRequestGetsA5xxAStackTraceOrATokenBack(CapturedOutput output) {
		Random random = new Random(SEED);
		Duration worstValid = Duration.ZERO;
		String worstValidPath = null;
		int valid = 0;
		for (int i = 0; i < REQUESTS; i++) {
			String path = path(random);
			String authorization = authorization(random);
			long started = System.nanoTime();
			int status;
			String body;
			if (random.nextInt(20) == 0) {
				// Targets java.net.URI refuses: malformed escapes, raw NUL.
				String raw = path + (path.contains("?") ? "&" : "?") + pick(random, "x=%zz", "x=%", "x=%00", "%00=1");
				Map.Entry<Integer, String> response = api.sendRaw(raw, String.valueOf(authorization));
				status = response.getKey();
				body = response.getValue();
				path = raw;
			}
			else {
				HttpResponse<String> response = api.get(path, authorization);
				status = response.statusCode();
				body = response.body();
			}
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			String request = "#" + i + " (seed " + SEED + ") GET " + path + " [" + authorization + "]";

			assertThat(status).as(request + ": " + body).isBetween(200, 499);
			assertThat(took).as(request).isLessThan(BOUND);
			assertThat(body).as(request)
				.doesNotContain("Exception", "\tat ", "SELECT", "select ", pro.token(), starter.token(),
						revoked.token());
			if (status >= 400) {
				JsonNode error = JSON.readTree(body);
				assertThat(error.path("code").asString()).as(request + ": " + body).isIn(CODES);
				assertThat(error.path("error").asString()).as(request).isNotBlank();
				List<String> fields = new ArrayList<>();
				error.propertyNames().forEach(fields::add);
				assertThat(fields).as(request).isSubsetOf("error", "code", "details");
			}
			else if (took.compareTo(worstValid) > 0) {
				worstValid = took;
				worstValidPath = path;
			}
			valid += (status == 200) ? 1 : 0;
		}
		System.out.printf("FUZZ %d requests (seed %d), %d answered 200; slowest 200: %.1f ms, GET %s%n", REQUESTS, SEED,
				valid, worstValid.toNanos() / 1e6, worstValidPath);

		assertThat(valid).as("enough requests reach the handlers").isGreaterThan(REQUESTS / 10);
		assertThat(output.getAll()).doesNotContain(pro.token(), starter.token(), revoked.token())
			.doesNotContain("Unexpected failure")
			.doesNotContain("\tat run.trakr");
	}

	private static String path(Random random) {
		String name = encode(pick(random, "triage", "a,b", "missing", "support/triage v2", "résumé", "\u0000",
				"a\u0007b", "x".repeat(random.nextInt(3) * 700), "'; drop table runs; --", "%", "..", ".", "𝒳"));
		String base = pick(random, "/api/runs",
				"/api/runs/" + pick(random, RUN.toString(), UUID.randomUUID().toString(), "not-a-uuid", "1-1-1-1-1",
						"compare"),
				"/api/runs/compare", "/api/workflows", "/api/workflows/" + name + "/stats",
				"/api/workflows/" + name + "/tools", "/api/alert-events", "/api/metrics/overview", "/api/other",
				"/api/workflows/" + name, "/");
		List<String> parameters = new ArrayList<>();
		int count = switch (random.nextInt(20)) {
			case 0 -> 0;
			case 1 -> 100 + random.nextInt(1_500);
			default -> random.nextInt(4);
		};
		for (int i = 0; i < count; i++) {
			String parameter = pick(random, "from", "to", "workflow", "status", "sort", "limit", "cursor", "cost_min",
					"cost_max", "interval", "tz", "rule_id", "resolved", "run_a", "run_b", "unknown", "");
			parameters.add(encode(parameter) + "=" + encode(value(random, parameter)));
		}
		return parameters.isEmpty() ? base : base + "?" + String.join("&", parameters);
	}

	private static String value(Random random, String parameter) {
		if (random.nextInt(10) == 0) {
			return hostile(random);
		}
		OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
		return switch (parameter) {
			case "from",
					"to" ->
				pick(random, now.minusMinutes(random.nextInt(100_000)).toString(),
						now.minusHours(1).withOffsetSameInstant(ZoneOffset.ofHoursMinutes(5, 30)).toString(),
						"0001-01-01T00:00:00Z", "0001-01-02T00:00:00.5Z", "9999-12-31T23:59:59.999999Z",
						"0001-01-01T00:00:00+01:00", "2026-02-30T00:00:00Z", "1764460800000", "2026-11-30");
			case "workflow" -> pick(random, "triage", "a,b", "a", "b", "missing");
			case "status" -> pick(random, "running", "success", "error", "loop_detected", "timeout", "done");
			case "sort" -> pick(random, "started_at_desc", "started_at_asc", "cost_desc", "cost_asc", "duration_desc",
					"duration_asc", "name");
			case "limit" -> pick(random, "1", "50", "100", "0", "101", "-1", "2147483648", "１０", "1e2");
			case "cost_min", "cost_max" ->
				pick(random, "0", "0.5", "1.25", "-1", "1e400", "0.00000000001", "999999999999.9", "NaN", "１");
			case "interval" -> pick(random, "minute", "hour", "day", "week");
			case "tz" -> pick(random, "Europe/Berlin", "Asia/Kathmandu", "America/St_Johns", "UTC", "+05:45",
					"Mars/Olympus", "GMT+14", "europe/berlin", "");
			case "resolved" -> pick(random, "true", "false", "yes");
			case "run_a", "run_b" -> pick(random, RUN.toString(), UUID.randomUUID().toString(), "x");
			case "cursor" -> pick(random, "abc.def", "AAAA.AAAA", ".", "x".repeat(2_000));
			default -> pick(random, "1", "");
		};
	}

	private static String hostile(Random random) {
		return switch (random.nextInt(6)) {
			case 0 -> "\u0000";
			case 1 -> "a\u001b[31mred";
			case 2 -> "9".repeat(random.nextInt(5_000));
			case 3 -> new String(Character.toChars(0x1F600 + random.nextInt(50)));
			case 4 -> "\uFF11\uFF12";
			default -> {
				StringBuilder text = new StringBuilder();
				for (int i = random.nextInt(40); i > 0; i--) {
					text.append((char) (0x20 + random.nextInt(0x3000)));
				}
				yield text.toString();
			}
		};
	}

	private static String authorization(Random random) {
		return switch (random.nextInt(12)) {
			case 0 -> null;
			case 1 -> "Bearer " + starter.token();
			case 2 -> "Bearer " + revoked.token();
			case 3 -> "Bearer " + ReadToken.generate();
			case 4 -> "Bearer tk_live_0123456789abcdef0123456789abcdef";
			case 5 -> "Basic dXNlcjpwYXNz";
			case 6 -> "Bearer " + pro.token().toUpperCase(java.util.Locale.ROOT);
			default -> "Bearer " + pro.token();
		};
	}

	@SafeVarargs
	private static <T> T pick(Random random, T... choices) {
		return choices[random.nextInt(choices.length)];
	}

	private static String encode(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
