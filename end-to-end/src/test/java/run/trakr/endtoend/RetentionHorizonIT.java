package run.trakr.endtoend;

import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.event.IngestEventEncoder;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * The read API at an org's raw horizon (docs/retention.md), against the packaged
 * projector with its retention job running: runs 45 days old and 5 days old are
 * projected, then the org's horizon becomes 30 days and the job removes the old 5-minute
 * rollups. Windows before the horizon are answered from the kept hour rollups, their
 * edges rounded out to whole hours (and the {@code Trakr-Answered-Window} header says
 * so); lists, exports and run detail show only retained runs; answers over retained
 * windows are what they were.
 */
@ExtendWith(LocalStackExtension.class)
class RetentionHorizonIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void windowsBeforeTheHorizonAreWholeHoursAndListsHoldOnlyRetainedRuns(LocalStack stack) throws Exception {
		String topic = IngestPopulation.newTopic(stack, 2);
		Admin admin = new Admin(stack);
		OrgToken org = admin.createOrgWithToken("pro");
		admin.run("org", "set-retention", "--org", org.orgId().toString(), "--days", "1100");
		Instant old = LocalDate.now(ZoneOffset.UTC).minusDays(45).atStartOfDay(ZoneOffset.UTC).toInstant();
		Instant recent = LocalDate.now(ZoneOffset.UTC).minusDays(5).atStartOfDay(ZoneOffset.UTC).toInstant();
		// Old runs around the hours 10:00 and 11:00; the window asked for below is
		// 10:05..11:20, which the answer rounds out to 10:00..11:59:59.999999.
		Map<String, Instant> oldRuns = new LinkedHashMap<>();
		for (String time : List.of("09:59", "10:02", "10:20", "10:52", "11:15", "11:45", "12:01")) {
			oldRuns.put(time, old.plus(Duration.between(Instant.EPOCH, Instant.parse("1970-01-01T" + time + ":00Z"))));
		}
		List<IngestEvent> events = new ArrayList<>();
		Map<UUID, Instant> started = new LinkedHashMap<>();
		int cents = 1;
		for (Instant at : oldRuns.values()) {
			started.put(run(events, org, at, cents++), at);
		}
		List<UUID> recentRuns = new ArrayList<>();
		for (int minute : List.of(13, 27, 44)) {
			UUID run = run(events, org, recent.plus(9, ChronoUnit.HOURS).plus(minute, ChronoUnit.MINUTES), cents++);
			recentRuns.add(run);
		}
		String retainedWindow = "from=" + recent.plus(9, ChronoUnit.HOURS).plusSeconds(700) + "&to="
				+ recent.plus(10, ChronoUnit.HOURS);
		String oldWindow = "from=" + old.plus(10, ChronoUnit.HOURS).plus(5, ChronoUnit.MINUTES) + "&to="
				+ old.plus(11, ChronoUnit.HOURS).plus(20, ChronoUnit.MINUTES);
		List<String> retainedPaths = List.of("/api/workflows?" + retainedWindow,
				"/api/workflows/triage/stats?interval=hour&" + retainedWindow,
				"/api/workflows/triage/tools?" + retainedWindow, "/api/metrics/overview?" + retainedWindow,
				"/api/runs?" + retainedWindow, "/api/runs/" + recentRuns.get(0));

		Map<String, String> before = new LinkedHashMap<>();
		try (ProjectorProcess projector = ProjectorProcess.start(stack, topic,
				Map.of("trakr.retention.interval", "2s"))) {
			try (ReadApiInstance api = ReadApiInstance.start(stack)) {
				DSLContext db = api.context().getBean(DSLContext.class);
				projector.awaitProjected(db, topic, publish(stack, topic, events));
				for (String path : retainedPaths) {
					before.put(path, ok(api, org, path).body());
				}
				// Before the horizon moves: the old window as asked, from 5-minute
				// rollups and run rows.
				HttpResponse<String> exact = ok(api, org, "/api/workflows?" + oldWindow);
				assertThat(exact.headers().firstValue("Trakr-Answered-Window")).isEmpty();
				assertThat(body(exact).path("workflows").get(0).path("run_count").asInt()).isEqualTo(3);
			}

			admin.run("org", "set-retention", "--org", org.orgId().toString(), "--days", "30");
			Instant horizon = LocalDate.now(ZoneOffset.UTC).minusDays(30).atStartOfDay(ZoneOffset.UTC).toInstant();
			try (ReadApiInstance api = ReadApiInstance.start(stack)) {
				DSLContext db = api.context().getBean(DSLContext.class);
				// The job (every 2 s here) removes the 5-minute rollups before the
				// horizon; the hour and day rollups stay.
				await().atMost(Duration.ofSeconds(60))
					.until(() -> db.fetchCount(WORKFLOW_ROLLUPS,
							WORKFLOW_ROLLUPS.ORG_ID.eq(org.orgId())
								.and(WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(300))
								.and(WORKFLOW_ROLLUPS.BUCKET_START.lt(horizon.atOffset(ZoneOffset.UTC)))) == 0);
				assertThat(db.fetchCount(WORKFLOW_ROLLUPS,
						WORKFLOW_ROLLUPS.ORG_ID.eq(org.orgId())
							.and(WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(3600))
							.and(WORKFLOW_ROLLUPS.BUCKET_START.lt(horizon.atOffset(ZoneOffset.UTC)))))
					.isPositive();

				// Retained windows: the same answers as before.
				for (String path : retainedPaths) {
					assertThat(ok(api, org, path).body()).as(path).isEqualTo(before.get(path));
				}

				// The old window, rounded out to 10:00..11:59:59.999: the runs of
				// 10:02, 10:20, 10:52, 11:15 and 11:45, and only those.
				String answered = millis(old.plus(10, ChronoUnit.HOURS)) + "/"
						+ millis(old.plus(12, ChronoUnit.HOURS).minusMillis(1));
				HttpResponse<String> workflows = ok(api, org, "/api/workflows?" + oldWindow);
				assertThat(workflows.headers().firstValue("Trakr-Answered-Window")).hasValue(answered);
				JsonNode triage = body(workflows).path("workflows").get(0);
				assertThat(triage.path("run_count").asInt()).isEqualTo(5);
				// Costs 0.02 + 0.03 + 0.04 + 0.05 + 0.06.
				assertThat(triage.path("total_cost_usd").asString()).isEqualTo("0.2");

				HttpResponse<String> stats = ok(api, org, "/api/workflows/triage/stats?interval=hour&" + oldWindow);
				assertThat(stats.headers().firstValue("Trakr-Answered-Window")).hasValue(answered);
				JsonNode series = body(stats).path("series");
				assertThat(series.size()).isEqualTo(2);
				assertThat(series.get(0).path("run_count").asInt()).isEqualTo(3);
				assertThat(series.get(1).path("run_count").asInt()).isEqualTo(2);
				assertThat(body(stats).path("from").asString()).isEqualTo(millis(old.plus(10, ChronoUnit.HOURS)));

				HttpResponse<String> tools = ok(api, org, "/api/workflows/triage/tools?" + oldWindow);
				assertThat(tools.headers().firstValue("Trakr-Answered-Window")).hasValue(answered);
				assertThat(body(tools).path("tools").get(0).path("call_count").asInt()).isEqualTo(5);

				HttpResponse<String> overview = ok(api, org, "/api/metrics/overview?" + oldWindow);
				assertThat(overview.headers().firstValue("Trakr-Answered-Window")).hasValue(answered);
				assertThat(body(overview).path("run_count").asInt()).isEqualTo(5);

				// Lists, exports and run detail: retained runs only, though the old
				// runs' rows are still stored (they were written under 1,100 days).
				String everything = "from=" + old.minus(1, ChronoUnit.DAYS) + "&to=" + Instant.now();
				JsonNode list = body(ok(api, org, "/api/runs?" + everything));
				assertThat(list.path("total_count").asInt()).isEqualTo(3);
				List<String> listed = new ArrayList<>();
				list.path("runs").forEach((run) -> listed.add(run.path("id").asString()));
				assertThat(listed)
					.containsExactlyInAnyOrderElementsOf(recentRuns.stream().map(UUID::toString).toList());
				String csv = HttpClient.newHttpClient()
					.send(HttpRequest.newBuilder(api.uri("/api/runs?" + everything))
						.header("Authorization", "Bearer " + org.token())
						.header("Accept", "text/csv")
						.build(), HttpResponse.BodyHandlers.ofString())
					.body();
				assertThat(csv.lines().count()).as(csv).isEqualTo(1 + 3);
				HttpResponse<String> expired = api.get("/api/runs/" + started.keySet().iterator().next(),
						"Bearer " + org.token());
				assertThat(expired.statusCode()).isEqualTo(404);
				assertThat(expired.body()).contains("\"not_found\"");

				// verify checks from the horizon on: the old runs, kept under the longer
				// horizon, are not reported against buckets whose 5-minute level has
				// gone.
				assertThat(ProjectorProcess.verify(stack)).contains("0 rollup bucket(s) differ");
			}
		}
	}

	/** A run of workflow triage with one call costing {@code cents} and one tool use. */
	private static UUID run(List<IngestEvent> events, OrgToken org, Instant at, int cents) {
		UUID run = UUID.randomUUID();
		events.add(new RunStarted(envelope(org, at), run, "triage", at, Optional.empty(), Optional.empty()));
		events.add(new LlmCallRecorded(envelope(org, at), run, UUID.randomUUID(), "gpt-4o", Optional.of("openai"), 100,
				20, BigDecimal.valueOf(cents, 2), 300, at.plusSeconds(1), IngestEvent.CallStatus.SUCCESS));
		events.add(new ToolUsed(envelope(org, at), run, UUID.randomUUID(), "search", IngestEvent.CallStatus.SUCCESS, 40,
				at.plusSeconds(2)));
		return run;
	}

	private static HttpResponse<String> ok(ReadApiInstance api, OrgToken org, String path) {
		HttpResponse<String> response = api.get(path, "Bearer " + org.token());
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
		return response;
	}

	private static JsonNode body(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	/** As the API writes instants: milliseconds always. */
	private static String millis(Instant instant) {
		return DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC).format(instant);
	}

	private static Envelope envelope(OrgToken org, Instant at) {
		return new Envelope(UUID.randomUUID(), org.orgId(), at);
	}

	private static long publish(LocalStack stack, String topic, List<IngestEvent> events) {
		List<IngestPopulation.Record> records = new ArrayList<>();
		for (IngestEvent event : events) {
			records.add(new IngestPopulation.Record(IngestEventEncoder.key(event), IngestEventEncoder.toJson(event)));
		}
		IngestPopulation.publish(stack, topic, records);
		return records.size();
	}

}
