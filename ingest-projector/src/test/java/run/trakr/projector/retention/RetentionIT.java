package run.trakr.projector.retention;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projector.rollup.RollupCheck;
import run.trakr.projector.rollup.RollupScope;
import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.projectortest.support.SettableClock;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.event.IngestEvent.EndStatus;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.retention.Expiry;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.projectortest.support.HandWrittenEvents.of;
import static run.trakr.schema.jooq.Tables.LLM_CALLS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.RUN_KEYS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * Retention on a clock the test moves: a starter org (30 days) and a pro org (90 days)
 * send runs over 120 days, ingested as they happen. The retention job on day 120 leaves
 * each org exactly the runs of its horizon (with their calls and tool uses), drops every
 * partition whose week has passed, keeps every hour and day rollup as it was, and
 * {@code verify} finds nothing to report. Late events for expired runs go to the
 * dead-letter topic as {@code beyond_retention}; a run whose call came before its start
 * moves, with the call, from the "never" partition to its week's.
 */
@ExtendWith(LocalStackExtension.class)
class RetentionIT {

	/**
	 * Day 0 of the test's calendar; runs start on days 0..119, at 10:00 and 23:30 UTC.
	 */
	private static final LocalDate FIRST = LocalDate.parse("2026-03-02");

	private static final int DAYS = 120;

	@Test
	void eachOrgKeepsItsHorizonAndTheRollupsOutliveTheRows(LocalStack stack) {
		UUID starter = UUID.randomUUID();
		UUID pro = UUID.randomUUID();
		UUID unregistered = UUID.randomUUID();
		UUID oldOrphan = UUID.randomUUID();
		UUID newOrphan = UUID.randomUUID();
		SettableClock clock = new SettableClock(FIRST.atStartOfDay(ZoneOffset.UTC).toInstant());
		String topic = ProjectorInstance.newTopic(stack, 2);
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, stack.createDatabase(), clock)) {
			DSLContext db = projector.db();
			db.execute("INSERT INTO organizations (org_id, name, plan) VALUES (?, 'Small', 'starter'), "
					+ "(?, 'Medium', 'pro')", starter, pro);
			// Ingested as they happen, 20 days at a time.
			for (int day = 0; day < DAYS; day += 20) {
				List<IngestPopulation.Record> records = new ArrayList<>();
				for (int d = day; d < day + 20; d++) {
					for (UUID org : List.of(starter, pro, unregistered)) {
						records.addAll(run(org, runId(org, d, 0), at(d, "10:00")));
						records.addAll(run(org, runId(org, d, 1), at(d, "23:30")));
					}
				}
				// Orphans of the starter org, runs whose start never comes: one of day 5
				// (past its horizon on day 120, removed), one of day 110 (kept).
				if (day == 0 || day == 100) {
					records.addAll(orphan(starter, (day == 0) ? oldOrphan : newOrphan,
							at(day + 5 + 5 * (day / 100), "12:00")));
				}
				clock.set(at(day + 20, "00:00"));
				Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic, records);
				await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(ends));
			}
			LocalDate today = FIRST.plusDays(DAYS);
			Result<Record> rollupsBefore = hourAndDayRollups(db);

			RetentionJob.Removed removed = projector.bean(RetentionJob.class).run(today);

			// The starter org keeps the runs of the last 30 days (started on or after
			// today - 30), the pro org 90, and the runs that expired in the week now
			// running until that week ends (their partition goes whole); an org not
			// registered here keeps all.
			assertThat(runDays(db, starter)).containsExactlyElementsOf(stored(30, today));
			assertThat(runDays(db, pro)).containsExactlyElementsOf(stored(90, today));
			assertThat(runDays(db, unregistered)).containsExactlyElementsOf(days(0, DAYS));
			assertThat(stored(30, today)).containsAll(days(DAYS - 30, DAYS)).hasSizeLessThan(2 * (30 + 7));
			for (UUID org : List.of(starter, pro)) {
				assertThat(db.fetchCount(LLM_CALLS, LLM_CALLS.ORG_ID.eq(org)))
					.isEqualTo(db.fetchCount(RUNS, RUNS.ORG_ID.eq(org)));
				assertThat(db.fetchCount(TOOL_USES, TOOL_USES.ORG_ID.eq(org)))
					.isEqualTo(db.fetchCount(RUNS, RUNS.ORG_ID.eq(org)));
				// Keys go as they expire, rows with their week.
				assertThat(db.fetchCount(RUN_KEYS, RUN_KEYS.ORG_ID.eq(org)))
					.isEqualTo(db.fetchCount(RUNS, RUNS.ORG_ID.eq(org).and(RUNS.EXPIRES_ON.gt(today))));
			}
			// No partition of a week that has passed is left; the dropped ones held the
			// expired runs of both orgs.
			assertThat(removed.weeksDropped()).isPositive();
			for (String partition : db.fetch("""
					SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
					WHERE i.inhparent = 'runs'::regclass AND c.relname <> 'runs_expire_never'""")
				.getValues(0, String.class)) {
				LocalDate week = LocalDate.parse(partition.substring("runs_expire_".length()),
						java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
				assertThat(week.plusWeeks(1)).as(partition).isAfter(today);
			}
			assertThat(db.fetchCount(RUN_KEYS, RUN_KEYS.EXPIRES_ON.le(today))).isZero();
			// The orphan past the horizon went with its call, tool use and key; the
			// recent one waits on.
			assertThat(removed.orphanRuns()).isEqualTo(1);
			for (UUID run : List.of(oldOrphan, newOrphan)) {
				int left = run.equals(oldOrphan) ? 0 : 1;
				assertThat(db.fetchCount(RUNS, RUNS.ORG_ID.eq(starter).and(RUNS.RUN_ID.eq(run)))).isEqualTo(left);
				assertThat(db.fetchCount(LLM_CALLS, LLM_CALLS.ORG_ID.eq(starter).and(LLM_CALLS.RUN_ID.eq(run))))
					.isEqualTo(left);
				assertThat(db.fetchCount(TOOL_USES, TOOL_USES.ORG_ID.eq(starter).and(TOOL_USES.RUN_ID.eq(run))))
					.isEqualTo(left);
				assertThat(db.fetchCount(RUN_KEYS, RUN_KEYS.ORG_ID.eq(starter).and(RUN_KEYS.RUN_ID.eq(run))))
					.isEqualTo(left);
			}
			// Hour and day rollups are kept (13 months); 5-minute ones only within the
			// raw horizon.
			assertThat(hourAndDayRollups(db)).isEqualTo(rollupsBefore);
			assertThat(db.fetchValue(db.select(org.jooq.impl.DSL.min(WORKFLOW_ROLLUPS.BUCKET_START))
				.from(WORKFLOW_ROLLUPS)
				.where(WORKFLOW_ROLLUPS.ORG_ID.eq(starter), WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(300))))
				.isEqualTo(at(DAYS - 30, "10:00").atOffset(ZoneOffset.UTC));
			assertThat(RollupCheck.verify(db, RollupScope.EVERYTHING, RollupCheck.Progress.NONE, today)).isEmpty();

			// Late events: a call for an expired run, a start 40 days old (starter:
			// past),
			// both dead-lettered; a call for a retained run is applied.
			clock.set(today.atStartOfDay(ZoneOffset.UTC).toInstant().plus(Duration.ofHours(1)));
			UUID retained = runId(starter, DAYS - 1, 0);
			Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic,
					List.of(of(call(starter, runId(starter, 10, 0), at(10, "10:05"))),
							of(new RunStarted(envelope(starter), UUID.randomUUID(), "late", at(DAYS - 40, "12:00"),
									Optional.empty(), Optional.empty())),
							of(call(starter, retained, at(DAYS - 1, "10:06")))));
			await().atMost(Duration.ofSeconds(30)).until(() -> projector.caughtUpWith(ends));
			assertThat(projector.deadLetterReasons(stack, 2)).hasSize(2)
				.allSatisfy(reason -> assertThat(reason).startsWith("beyond_retention: "));
			assertThat(db.fetchValue(RUNS.LLM_CALL_COUNT, RUNS.ORG_ID.eq(starter).and(RUNS.RUN_ID.eq(retained))))
				.isEqualTo(2);
			assertThat(RollupCheck.verify(db, RollupScope.EVERYTHING, RollupCheck.Progress.NONE, today)).isEmpty();

			// A call before its run's start waits in the "never" partition, then moves.
			UUID early = UUID.randomUUID();
			Instant start = at(DAYS, "00:30");
			Map<Integer, Long> first = ProjectorInstance.publish(stack, topic,
					List.of(of(call(pro, early, start.plusSeconds(5)))));
			await().atMost(Duration.ofSeconds(30)).until(() -> projector.caughtUpWith(first));
			assertThat(partitionsOf(db, pro, early)).containsExactly("llm_calls_expire_never", "runs_expire_never");
			Map<Integer, Long> then = ProjectorInstance.publish(stack, topic, List
				.of(of(new RunStarted(envelope(pro), early, "triage", start, Optional.empty(), Optional.empty()))));
			await().atMost(Duration.ofSeconds(30)).until(() -> projector.caughtUpWith(then));
			String week = java.time.format.DateTimeFormatter.BASIC_ISO_DATE
				.format(Expiry.partitionWeek(Expiry.of(start, 90)));
			assertThat(partitionsOf(db, pro, early)).containsExactly("llm_calls_expire_" + week, "runs_expire_" + week);
			assertThat(db.fetchValue(RUN_KEYS.EXPIRES_ON, RUN_KEYS.ORG_ID.eq(pro).and(RUN_KEYS.RUN_ID.eq(early))))
				.isEqualTo(Expiry.of(start, 90));
			assertThat(db.fetchValue(RUNS.COST_USD, RUNS.ORG_ID.eq(pro).and(RUNS.RUN_ID.eq(early))))
				.isEqualByComparingTo("0.01");
		}
	}

	/** A run's events: start, one call, one tool use, end a minute later. */
	private static List<IngestPopulation.Record> run(UUID org, UUID run, Instant start) {
		return List.of(
				of(new RunStarted(envelope(org), run, (start.getEpochSecond() % 2 == 0) ? "triage" : "report", start,
						Optional.empty(), Optional.empty())),
				of(call(org, run, start.plusSeconds(5))),
				of(new ToolUsed(envelope(org), run, UUID.randomUUID(), "search", CallStatus.SUCCESS, 40,
						start.plusSeconds(7))),
				of(new RunEnded(envelope(org), run, EndStatus.SUCCESS, start.plusSeconds(60))));
	}

	/** A call and a tool use of a run whose start never comes. */
	private static List<IngestPopulation.Record> orphan(UUID org, UUID run, Instant at) {
		return List.of(of(call(org, run, at)), of(new ToolUsed(envelope(org), run, UUID.randomUUID(), "search",
				CallStatus.SUCCESS, 40, at.plusSeconds(2))));
	}

	private static LlmCallRecorded call(UUID org, UUID run, Instant at) {
		return new LlmCallRecorded(envelope(org), run, UUID.randomUUID(), "m", Optional.empty(), 10, 20,
				new BigDecimal("0.01"), 300, at, CallStatus.SUCCESS);
	}

	private static Envelope envelope(UUID org) {
		return new Envelope(UUID.randomUUID(), org, Instant.parse("2026-03-01T00:00:00Z"));
	}

	/** The id of an org's {@code n}-th run of day {@code day}, the same every time. */
	private static UUID runId(UUID org, int day, int n) {
		return UUID.nameUUIDFromBytes((org + "/" + day + "/" + n).getBytes(java.nio.charset.StandardCharsets.UTF_8));
	}

	private static Instant at(int day, String time) {
		return Instant.parse(FIRST.plusDays(day) + "T" + time + ":00Z");
	}

	/** Days first..last-1 of the calendar, each twice (two runs a day). */
	private static List<LocalDate> days(int first, int last) {
		List<LocalDate> days = new ArrayList<>();
		for (int day = first; day < last; day++) {
			days.add(FIRST.plusDays(day));
			days.add(FIRST.plusDays(day));
		}
		return days;
	}

	/**
	 * The days whose runs are still stored on {@code today} under a horizon of
	 * {@code rawDays}: those whose expiry's week has not ended.
	 */
	private static List<LocalDate> stored(int rawDays, LocalDate today) {
		List<LocalDate> stored = new ArrayList<>();
		for (LocalDate day : days(0, DAYS)) {
			LocalDate expiry = Expiry.of(day.atStartOfDay(ZoneOffset.UTC).toInstant(), rawDays);
			if (Expiry.partitionWeek(expiry).plusWeeks(1).isAfter(today)) {
				stored.add(day);
			}
		}
		return stored;
	}

	/** The UTC start day of each of the org's stored runs, in order. */
	private static List<LocalDate> runDays(DSLContext db, UUID org) {
		return db.select(RUNS.STARTED_AT)
			.from(RUNS)
			.where(RUNS.ORG_ID.eq(org))
			.and(RUNS.STARTED_AT.isNotNull())
			.orderBy(RUNS.STARTED_AT)
			.fetch(r -> r.value1().withOffsetSameInstant(ZoneOffset.UTC).toLocalDate());
	}

	private static Result<Record> hourAndDayRollups(DSLContext db) {
		return db.select(WORKFLOW_ROLLUPS.fields())
			.from(WORKFLOW_ROLLUPS)
			.where(WORKFLOW_ROLLUPS.BUCKET_SECONDS.in(3600, 86400))
			.orderBy(WORKFLOW_ROLLUPS.ORG_ID, WORKFLOW_ROLLUPS.BUCKET_SECONDS, WORKFLOW_ROLLUPS.BUCKET_START,
					WORKFLOW_ROLLUPS.WORKFLOW_NAME, WORKFLOW_ROLLUPS.SHARD)
			.fetch();
	}

	/** The partitions holding the run's call and its row. */
	private static List<String> partitionsOf(DSLContext db, UUID org, UUID run) {
		return db
			.fetch("""
					SELECT tableoid::regclass::text FROM llm_calls WHERE org_id = ? AND run_id = ?
					UNION ALL SELECT tableoid::regclass::text FROM runs WHERE org_id = ? AND run_id = ?""", org, run,
					org, run)
			.getValues(0, String.class);
	}

}
