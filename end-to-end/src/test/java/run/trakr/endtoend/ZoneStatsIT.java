package run.trakr.endtoend;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.schematest.support.IngestPopulation;
import run.trakr.schematest.support.IngestPopulation.ExpectedRun;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;

/**
 * Stats in a time zone (extensions.md §3), against runs projected by the packaged
 * projector around both of 2026's European DST changes: every bucket starts on the zone's
 * own hour or midnight, is written with the zone's offset, holds exactly the runs that
 * started in it (p95 within 1%), and a day has 23 or 25 hours where DST changes.
 */
@ExtendWith(LocalStackExtension.class)
class ZoneStatsIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXXXX");

	static IngestPopulation spring;

	static IngestPopulation autumn;

	static ReadApiInstance api;

	static ProjectorProcess projector;

	static Map<UUID, String> tokens = new java.util.HashMap<>();

	@BeforeAll
	static void projectRunsAroundBothDstChanges(LocalStack stack) throws Exception {
		spring = IngestPopulation.generate(329L, 400, Instant.parse("2026-03-26T00:00:00Z"));
		autumn = IngestPopulation.generate(1025L, 400, Instant.parse("2026-10-22T00:00:00Z"));
		api = ReadApiInstance.start(stack, Map.of("trakr.rate-limit.limit", "1000000"));
		DSLContext db = api.context().getBean(DSLContext.class);
		Admin admin = new Admin(stack);
		for (IngestPopulation population : List.of(spring, autumn)) {
			for (UUID org : population.orgs()) {
				db.insertInto(ORGANIZATIONS, ORGANIZATIONS.ORG_ID, ORGANIZATIONS.NAME, ORGANIZATIONS.PLAN,
						ORGANIZATIONS.RETENTION_DAYS)
					.values(org, "zones", "pro", IngestPopulation.RETENTION_DAYS)
					.execute();
				tokens.put(org,
						admin.run("token", "create", "--org", org.toString(), "--name", "zones", "--quiet").trim());
			}
		}
		String topic = IngestPopulation.newTopic(stack, 3);
		List<IngestPopulation.Record> records = new ArrayList<>(spring.shuffled(1));
		records.addAll(autumn.shuffled(2));
		long total = IngestPopulation.publish(stack, topic, records).values().stream().mapToLong(Long::longValue).sum();
		projector = ProjectorProcess.start(stack, topic);
		projector.awaitProjected(db, topic, total);
	}

	@AfterAll
	static void stop() {
		if (projector != null) {
			projector.close();
		}
		if (api != null) {
			api.close();
		}
	}

	@ParameterizedTest
	@CsvSource({ "spring, Europe/Berlin, day, 2026-03-27, 2026-03-31",
			"spring, Europe/Berlin, hour, 2026-03-28, 2026-03-30", "autumn, Europe/Berlin, day, 2026-10-23, 2026-10-27",
			"autumn, Europe/Berlin, hour, 2026-10-24, 2026-10-26",
			"autumn, America/St_Johns, hour, 2026-10-24, 2026-10-26",
			"autumn, America/St_Johns, day, 2026-10-22, 2026-10-28",
			"spring, Asia/Kolkata, hour, 2026-03-27, 2026-03-29", "spring, Asia/Kolkata, day, 2026-03-26, 2026-04-01",
			"autumn, Asia/Kathmandu, hour, 2026-10-23, 2026-10-25",
			"autumn, Asia/Kathmandu, day, 2026-10-22, 2026-10-28" })
	void everyBucketHoldsTheRunsThatStartedInTheZonesOwnHourOrDay(String season, String zoneName, String interval,
			String firstDay, String endDay) {
		IngestPopulation population = season.equals("spring") ? spring : autumn;
		ZoneId zone = ZoneId.of(zoneName);
		// The window starts mid-bucket (the first bucket is clipped) and ends at a zone
		// midnight.
		Instant from = java.time.LocalDate.parse(firstDay).atStartOfDay(zone).toInstant().plusSeconds(1234);
		Instant to = java.time.LocalDate.parse(endDay).atStartOfDay(zone).toInstant().minus(1, ChronoUnit.MILLIS);
		UUID org = population.orgs().get(0);
		for (String workflow : IngestPopulation.WORKFLOWS) {
			JsonNode body = get(org, "/api/workflows/" + encode(workflow) + "/stats?interval=" + interval + "&tz="
					+ encode(zoneName) + "&from=" + from.toEpochMilli() + "&to=" + to.toEpochMilli());
			List<ExpectedRun> runs = population.expectedRuns()
				.values()
				.stream()
				.filter(run -> run.orgId().equals(org) && run.workflowName().equals(workflow))
				.filter(run -> !run.startedAt().isBefore(from) && !run.startedAt().isAfter(to))
				.toList();
			ChronoUnit unit = interval.equals("day") ? ChronoUnit.DAYS : ChronoUnit.HOURS;
			ZonedDateTime start = (unit == ChronoUnit.DAYS) ? from.atZone(zone).toLocalDate().atStartOfDay(zone)
					: from.atZone(zone).truncatedTo(ChronoUnit.HOURS);
			int buckets = 0;
			for (JsonNode point : body.path("series")) {
				ZonedDateTime end = (unit == ChronoUnit.DAYS) ? start.toLocalDate().plusDays(1).atStartOfDay(zone)
						: start.plusHours(1);
				assertThat(point.path("bucket_start").asString()).as(zoneName + " " + interval)
					.isEqualTo(OFFSET.format(start));
				Instant bucketStart = start.toInstant();
				Instant bucketEnd = end.toInstant();
				List<ExpectedRun> inBucket = runs.stream()
					.filter(run -> !run.startedAt().isBefore(bucketStart) && run.startedAt().isBefore(bucketEnd))
					.toList();
				Expectations.assertPoint(point, inBucket, zoneName + " " + workflow + " " + point.path("bucket_start"));
				start = end;
				buckets++;
			}
			assertThat(start.toInstant()).as("the series ends with the window").isAfter(to);
			assertThat(body.path("series").size()).isEqualTo(buckets);
			assertThat(body.path("summary").path("run_count").asLong()).isEqualTo(runs.size());
		}
	}

	/** {@code UTC} however it is spelled is the series without {@code tz}. */
	@ParameterizedTest
	@CsvSource({ "UTC", "utc", "Etc/UTC", "Z" })
	void utcHoweverSpelledIsTheSeriesWithoutTz(String utc) {
		UUID org = autumn.orgs().get(0);
		String path = "/api/workflows/triage/stats?interval=hour&from=2026-10-24T00:00:00Z&to=2026-10-26T00:00:00Z";
		assertThat(get(org, path + "&tz=" + encode(utc))).isEqualTo(get(org, path));
	}

	private static JsonNode get(UUID org, String path) {
		var response = api.get(path, "Bearer " + tokens.get(org));
		assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private static String encode(String text) {
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
