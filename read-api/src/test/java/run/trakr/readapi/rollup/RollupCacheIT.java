package run.trakr.readapi.rollup;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapi.query.TimeWindow;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.RollupRows;
import run.trakr.schema.rollup.WorkflowTotals;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.ROLLUP_REVISIONS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * The read API reuses what it computed from whole rollup buckets exactly as long as their
 * revisions stand: a row changed without a new revision is not seen (so the cache is
 * really used), and a new revision on any bucket of the window is seen at once.
 */
@ExtendWith(LocalStackExtension.class)
class RollupCacheIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final OffsetDateTime DAY = OffsetDateTime.parse("2026-11-01T00:00:00Z");

	private static final String WHOLE_DAY = "/api/workflows?from=2026-11-01T00:00:00Z&to=2026-11-01T23:59:59.999999Z";

	static ReadApiInstance api;

	static OrgToken caller;

	static DSLContext db;

	@BeforeAll
	static void start(LocalStack stack) {
		api = ReadApiInstance.start(stack);
		caller = new Admin(stack).createOrgWithToken("pro");
		db = api.context().getBean(DSLContext.class);
	}

	@AfterAll
	static void stop() {
		api.close();
	}

	@Test
	void aCachedAggregateLastsExactlyUntilABucketOfItsWindowGetsANewRevision() {
		insertDayRow(caller, 0, 4);
		bump(caller, 0);
		assertThat(runCount(caller)).isEqualTo(4);

		db.update(WORKFLOW_ROLLUPS)
			.set(WORKFLOW_ROLLUPS.RUN_COUNT, 6L)
			.set(WORKFLOW_ROLLUPS.SUCCESS_COUNT, 6L)
			.where(WORKFLOW_ROLLUPS.ORG_ID.eq(caller.orgId()))
			.execute();
		assertThat(runCount(caller)).as("unchanged revision: the cached value").isEqualTo(4);

		bump(caller, 0);
		assertThat(runCount(caller)).as("new revision: recomputed").isEqualTo(6);

		insertDayRow(caller, 1, 5);
		bump(caller, 1);
		assertThat(runCount(caller)).as("a new shard's row of the same bucket").isEqualTo(11);
	}

	/**
	 * Two consumers commit in another order than they drew their revisions: shard 0 drew
	 * a revision first but commits after shard 1 committed a later one. The cache must
	 * still see shard 0's change (the largest revision in the window does not move).
	 */
	@Test
	void aChangeCommittedWithAnEarlierDrawnRevisionIsSeen(LocalStack stack) {
		OrgToken org = new Admin(stack).createOrgWithToken("pro");
		insertDayRow(org, 0, 2);
		bump(org, 0);
		long drawnFirst = db.select(DSL.field("nextval('rollup_revision')", Long.class)).fetchOne().value1();
		insertDayRow(org, 1, 3);
		bump(org, 1);
		assertThat(runCount(org)).isEqualTo(5);

		db.update(WORKFLOW_ROLLUPS)
			.set(WORKFLOW_ROLLUPS.RUN_COUNT, 7L)
			.set(WORKFLOW_ROLLUPS.SUCCESS_COUNT, 7L)
			.where(WORKFLOW_ROLLUPS.ORG_ID.eq(org.orgId()))
			.and(WORKFLOW_ROLLUPS.SHARD.eq(0))
			.execute();
		db.update(ROLLUP_REVISIONS)
			.set(ROLLUP_REVISIONS.REVISION, drawnFirst)
			.where(ROLLUP_REVISIONS.ORG_ID.eq(org.orgId()))
			.and(ROLLUP_REVISIONS.SHARD.eq(0))
			.execute();
		assertThat(runCount(org)).as("shard 0's late commit").isEqualTo(10);
	}

	/**
	 * A window of three whole days and an hour of the next: the days' revisions sum to
	 * more than the hour's, so a change in the hour moves only the smaller level's sum;
	 * it is seen (the merged and derived values once checked only the largest level).
	 */
	@Test
	void aChangeInTheSmallerLevelOfAWindowIsSeen(LocalStack stack) {
		OrgToken org = new Admin(stack).createOrgWithToken("pro");
		OffsetDateTime hour = DAY.plusDays(3);
		String window = "/api/workflows?from=2026-11-01T00:00:00Z&to=2026-11-04T00:59:59.999999Z";
		for (int day = 0; day < 3; day++) {
			RollupRows.insertDay(db, org.orgId(), "triage", DAY.plusDays(day), 0, 2);
			bump(org, 0, 86400, DAY.plusDays(day));
		}
		RollupRows.insert(db, org.orgId(), "triage", 3600, hour, 0, 1);
		bump(org, 0, 3600, hour);
		assertThat(runCount(org, window)).isEqualTo(7);

		db.update(WORKFLOW_ROLLUPS)
			.set(WORKFLOW_ROLLUPS.RUN_COUNT, 4L)
			.set(WORKFLOW_ROLLUPS.SUCCESS_COUNT, 4L)
			.where(WORKFLOW_ROLLUPS.ORG_ID.eq(org.orgId()))
			.and(WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(3600))
			.execute();
		bump(org, 0, 3600, hour);
		assertThat(runCount(org, window)).as("the hour's new revision").isEqualTo(10);
	}

	/**
	 * A window of whole days moved by one day (a default window at midnight): the days it
	 * kept come from their own cached values, only the day it gained is read. A row
	 * changed without a new revision in a kept day stays unseen (so that day was not read
	 * again), while the gained day's rows and a kept day's new revision are seen.
	 */
	@Test
	void aWindowMovedByADayReadsOnlyTheDayItGained(LocalStack stack) {
		OrgToken org = new Admin(stack).createOrgWithToken("pro");
		for (int day = 0; day < 4; day++) {
			RollupRows.insertDay(db, org.orgId(), "triage", DAY.plusDays(day), 0, 1L << day);
			bump(org, 0, 86400, DAY.plusDays(day));
		}
		String firstThree = "/api/workflows?from=2026-11-01T00:00:00Z&to=2026-11-03T23:59:59.999999Z";
		String lastThree = "/api/workflows?from=2026-11-02T00:00:00Z&to=2026-11-04T23:59:59.999999Z";
		assertThat(runCount(org, firstThree)).isEqualTo(1 + 2 + 4);

		db.update(WORKFLOW_ROLLUPS)
			.set(WORKFLOW_ROLLUPS.RUN_COUNT, 100L)
			.set(WORKFLOW_ROLLUPS.SUCCESS_COUNT, 100L)
			.where(WORKFLOW_ROLLUPS.ORG_ID.eq(org.orgId()))
			.and(WORKFLOW_ROLLUPS.BUCKET_START.eq(DAY.plusDays(1)))
			.execute();
		assertThat(runCount(org, lastThree)).as("days 2 and 3 as cached, day 4 read").isEqualTo(2 + 4 + 8);

		bump(org, 0, 86400, DAY.plusDays(1));
		assertThat(runCount(org, lastThree)).as("day 2's new revision").isEqualTo(100 + 4 + 8);
	}

	/**
	 * The same for hours, which a default window gains every hour (and 23 of them at
	 * midnight): a window moved by two hours reads the two hours it gained, one of them
	 * without runs, and its kept hours come from their cached values.
	 */
	@Test
	void aWindowMovedByHoursReadsOnlyTheHoursItGained(LocalStack stack) {
		OrgToken org = new Admin(stack).createOrgWithToken("pro");
		for (int hour : new int[] { 0, 1, 2, 4 }) {
			RollupRows.insert(db, org.orgId(), "triage", 3600, DAY.plusHours(hour), 0, 1L << hour);
			bump(org, 0, 3600, DAY.plusHours(hour));
		}
		String firstThree = "/api/workflows?from=2026-11-01T00:00:00Z&to=2026-11-01T02:59:59.999999Z";
		String lastThree = "/api/workflows?from=2026-11-01T02:00:00Z&to=2026-11-01T04:59:59.999999Z";
		assertThat(runCount(org, firstThree)).isEqualTo(1 + 2 + 4);

		changeWithoutRevision(org, 3600, DAY.plusHours(2), 100);
		assertThat(runCount(org, lastThree)).as("hour 2 as cached, hours 3 (empty) and 4 read").isEqualTo(4 + 16);

		bump(org, 0, 3600, DAY.plusHours(2));
		assertThat(runCount(org, lastThree)).as("hour 2's new revision").isEqualTo(100 + 16);
	}

	/**
	 * An hourly series is cached hour by hour too: the series of a window moved by an
	 * hour has the kept hours' cached values in their own buckets and reads the hour it
	 * gained.
	 */
	@Test
	void anHourlySeriesMovedByAnHourReadsOnlyTheHourItGained(LocalStack stack) {
		OrgToken org = new Admin(stack).createOrgWithToken("pro");
		insertRun(org, DAY.minusDays(3), "0.10");
		for (int hour = 0; hour < 4; hour++) {
			RollupRows.insert(db, org.orgId(), "triage", 3600, DAY.plusHours(hour), 0, hour + 1);
			bump(org, 0, 3600, DAY.plusHours(hour));
		}
		String stats = "/api/workflows/triage/stats?interval=hour&from=2026-11-01T%02d:00:00Z&to=2026-11-01T%02d:59:59.999999Z";
		assertThat(seriesRunCounts(org, String.format(stats, 0, 2))).containsExactly(1L, 2L, 3L);

		changeWithoutRevision(org, 3600, DAY.plusHours(1), 50);
		assertThat(seriesRunCounts(org, String.format(stats, 1, 3))).as("hours 1 and 2 as cached, hour 3 read")
			.containsExactly(2L, 3L, 4L);

		bump(org, 0, 3600, DAY.plusHours(1));
		assertThat(seriesRunCounts(org, String.format(stats, 1, 3))).as("hour 1's new revision")
			.containsExactly(50L, 3L, 4L);
	}

	/**
	 * A window that ends now is read again before the next hour begins, as it will be
	 * then: the hours it gains at the boundary are cached ahead, so the first request
	 * after the boundary finds them (a row changed without a new revision meanwhile stays
	 * unseen), and a new revision is still seen.
	 */
	@Test
	void aWindowThatEndsNowIsReadAheadOfTheNextHour(LocalStack stack) {
		OrgToken org = new Admin(stack).createOrgWithToken("pro");
		RollupReader reader = api.context().getBean(RollupReader.class);
		ReadAhead readAhead = api.context().getBean(ReadAhead.class);
		Instant now = Instant.now();
		Instant boundary = now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
		OffsetDateTime lastHour = boundary.minus(1, ChronoUnit.HOURS).atOffset(ZoneOffset.UTC);
		OffsetDateTime hourBefore = lastHour.minusHours(1);
		RollupRows.insert(db, org.orgId(), "triage", 3600, hourBefore, 0, 3);
		bump(org, 0, 3600, hourBefore);
		RollupRows.insert(db, org.orgId(), "triage", 3600, lastHour, 0, 4);
		bump(org, 0, 3600, lastHour);
		reader.byWorkflow(org.orgId(), null, new TimeWindow(now.minus(3, ChronoUnit.HOURS), now));

		Instant after = boundary.plusSeconds(1);
		assertThat(readAhead.readAt(after)).isPositive();
		changeWithoutRevision(org, 3600, lastHour, 40);
		TimeWindow then = new TimeWindow(after.minus(3, ChronoUnit.HOURS), after);
		assertThat(reader.byWorkflow(org.orgId(), null, then).get("triage").runCount()).as("both hours as read ahead")
			.isEqualTo(3 + 4);

		bump(org, 0, 3600, lastHour);
		assertThat(reader.byWorkflow(org.orgId(), null, then).get("triage").runCount()).as("a new revision")
			.isEqualTo(3 + 40);
	}

	/**
	 * Two windows with the same whole hours and different edges: the second reuses the
	 * first's whole-bucket points (a row changed without a new revision stays unseen) and
	 * adds its own edge runs to the first point and to the summary.
	 */
	@Test
	void aSeriesReusesItsWholeBucketsAndAddsEachRequestsEdges(LocalStack stack) {
		OrgToken org = new Admin(stack).createOrgWithToken("pro");
		for (int hour = 1; hour <= 3; hour++) {
			RollupRows.insert(db, org.orgId(), "triage", 3600, DAY.plusHours(hour), 0, 10L * hour);
			bump(org, 0, 3600, DAY.plusHours(hour));
		}
		insertRun(org, DAY.plusMinutes(56), "0.10");
		insertRun(org, DAY.plusMinutes(58), "0.20");
		String stats = "/api/workflows/triage/stats?interval=hour&from=2026-11-01T00:%s&to=2026-11-01T03:59:59.999999Z";
		assertThat(seriesRunCounts(org, String.format(stats, "57:00Z"))).containsExactly(1L, 10L, 20L, 30L);

		changeWithoutRevision(org, 3600, DAY.plusHours(2), 99);
		String wider = String.format(stats, "55:30Z");
		assertThat(seriesRunCounts(org, wider)).as("the cached hours, this window's edge runs")
			.containsExactly(2L, 10L, 20L, 30L);
		JsonNode summary = JSON.readTree(api.get(wider, "Bearer " + org.token()).body()).get("summary");
		assertThat(summary.get("run_count").asLong()).isEqualTo(62);
	}

	private static void changeWithoutRevision(OrgToken org, int bucketSeconds, OffsetDateTime bucketStart, long runs) {
		db.update(WORKFLOW_ROLLUPS)
			.set(WORKFLOW_ROLLUPS.RUN_COUNT, runs)
			.set(WORKFLOW_ROLLUPS.SUCCESS_COUNT, runs)
			.where(WORKFLOW_ROLLUPS.ORG_ID.eq(org.orgId()))
			.and(WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(bucketSeconds))
			.and(WORKFLOW_ROLLUPS.BUCKET_START.eq(bucketStart))
			.execute();
	}

	private static List<Long> seriesRunCounts(OrgToken org, String path) {
		List<Long> counts = new ArrayList<>();
		for (JsonNode point : JSON.readTree(api.get(path, "Bearer " + org.token()).body()).get("series")) {
			counts.add(point.get("run_count").asLong());
		}
		return counts;
	}

	@Test
	void orgsWithTheSameWindowAndWorkflowGetTheirOwnCachedValues(LocalStack stack) {
		Admin admin = new Admin(stack);
		OrgToken first = admin.createOrgWithToken("pro");
		OrgToken second = admin.createOrgWithToken("pro");
		insertDayRow(first, 0, 2);
		bump(first, 0);
		insertDayRow(second, 0, 9);
		bump(second, 0);
		assertThat(runCount(first)).isEqualTo(2);
		assertThat(runCount(second)).isEqualTo(9);
		assertThat(runCount(first)).isEqualTo(2);
	}

	@Test
	void edgeRunsAreReadOncePerFiveMinuteBucketUntilItGetsANewRevision() {
		OffsetDateTime bucket = DAY.plusHours(3);
		String edge = "/api/workflows?from=2026-11-01T03:01:00Z&to=2026-11-01T03:03:00Z";
		String laterEdge = "/api/workflows?from=2026-11-01T03:02:15Z&to=2026-11-01T03:04:00Z";
		insertRun(caller, bucket.plusMinutes(2), "1.25");
		assertThat(runCount(caller, edge)).isEqualTo(1);

		insertRun(caller, bucket.plusSeconds(150), "0.50");
		assertThat(runCount(caller, edge)).as("unchanged revision: the cached runs").isEqualTo(1);
		assertThat(runCount(caller, laterEdge)).as("another edge in the same bucket, from the same runs").isZero();

		bump(caller, 0, 300, bucket);
		assertThat(runCount(caller, edge)).as("new revision: read again").isEqualTo(2);
		assertThat(runCount(caller, laterEdge)).isEqualTo(1);
		JsonNode triage = JSON.readTree(api.get(edge, "Bearer " + caller.token()).body()).get("workflows").get(0);
		assertThat(new BigDecimal(triage.get("total_cost_usd").asString())).isEqualByComparingTo("1.75");
	}

	@Test
	void summariesOfAMovingWindowAreReusedUntilARunCrossesAnEdge(LocalStack stack) {
		OrgToken org = new Admin(stack).createOrgWithToken("pro");
		insertDayRow(org, 0, 4);
		bump(org, 0);
		OffsetDateTime nextDay = DAY.plusDays(1);
		insertRun(org, nextDay.plusSeconds(60), "1.00");
		RollupReader reader = api.context().getBean(RollupReader.class);
		AtomicInteger computed = new AtomicInteger();
		Function<TimeWindow, Long> runCount = (window) -> reader.byWorkflowDerived("test run count", org.orgId(),
				window, (aggregates) -> {
					computed.incrementAndGet();
					return aggregates.values().stream().mapToLong(WorkflowTotals::runCount).sum();
				}, (count) -> 1);
		Instant from = DAY.minusMinutes(2).toInstant();
		Instant to = nextDay.plusSeconds(90).toInstant();

		assertThat(runCount.apply(new TimeWindow(from, to))).isEqualTo(5);
		assertThat(runCount.apply(new TimeWindow(from.plusSeconds(10), to.plusSeconds(10))))
			.as("the window moved, no run crossed an edge")
			.isEqualTo(5);
		assertThat(computed).hasValue(1);

		assertThat(runCount.apply(new TimeWindow(from.plusSeconds(10), to.minusSeconds(60))))
			.as("the edge run is outside")
			.isEqualTo(4);
		assertThat(computed).hasValue(2);

		bump(org, 0);
		assertThat(runCount.apply(new TimeWindow(from.plusSeconds(10), to.plusSeconds(10))))
			.as("a whole bucket's new revision")
			.isEqualTo(5);
		assertThat(computed).hasValue(3);
		assertThat(reader.byWorkflow(org.orgId(), null, new TimeWindow(from, to)).get("triage").runCount())
			.isEqualTo(5);
	}

	private static void insertRun(OrgToken org, OffsetDateTime startedAt, String cost) {
		db.insertInto(RUNS)
			.set(RUNS.ORG_ID, org.orgId())
			.set(RUNS.RUN_ID, UUID.randomUUID())
			.set(RUNS.WORKFLOW_NAME, "triage")
			.set(RUNS.STARTED_AT, startedAt)
			.set(RUNS.STATUS, "success")
			.set(RUNS.ENDED_AT, startedAt.plusSeconds(10))
			.set(RUNS.DURATION_MS, 10_000L)
			.set(RUNS.COST_USD, new BigDecimal(cost))
			.execute();
	}

	private static long runCount(OrgToken org) {
		return runCount(org, WHOLE_DAY);
	}

	private static long runCount(OrgToken org, String path) {
		JsonNode body = JSON.readTree(api.get(path, "Bearer " + org.token()).body());
		long total = 0;
		for (JsonNode workflow : body.get("workflows")) {
			total += workflow.get("run_count").asLong();
		}
		return total;
	}

	private static void insertDayRow(OrgToken org, int shard, long runs) {
		RollupRows.insertDay(db, org.orgId(), "triage", DAY, shard, runs);
	}

	private static void bump(OrgToken org, int shard) {
		bump(org, shard, 86400, DAY);
	}

	/** A new revision, seen by the API before the test reads through its beans again. */
	private static void bump(OrgToken org, int shard, int bucketSeconds, OffsetDateTime bucketStart) {
		RollupRows.bump(db, org.orgId(), shard, bucketSeconds, bucketStart);
		api.awaitRevisionsSeen();
	}

}
