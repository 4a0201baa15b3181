package run.trakr.projector.run;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projector.rollup.RollupCheck;
import run.trakr.projector.rollup.RollupCheckCommand;
import run.trakr.schematest.support.IngestPopulation;
import run.trakr.schematest.support.IngestPopulation.ExpectedAlert;
import run.trakr.schematest.support.IngestPopulation.ExpectedRun;
import run.trakr.projectortest.support.ExpectedProjection;
import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.schema.jooq.tables.records.AlertEventsRecord;
import run.trakr.schema.jooq.tables.records.WorkflowRollupsRecord;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.LogHistogram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.ALERT_EVENTS;
import static run.trakr.schema.jooq.Tables.LLM_CALLS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

@ExtendWith(LocalStackExtension.class)
class RunProjectionIT {

	@Test
	void anyDeliveryOrderOverSeveralPartitionsYieldsTheRowsComputedFromTheGeneratedRuns(LocalStack stack) {
		IngestPopulation population = IngestPopulation.generate(20261128L, 120);
		List<String> snapshots = new ArrayList<>();
		for (long order : new long[] { 1, 2, 3 }) {
			String topic = ProjectorInstance.newTopic(stack, 3);
			try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, stack.createDatabase())) {
				Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic, population.shuffled(order));
				await().atMost(Duration.ofSeconds(90)).until(() -> projector.caughtUpWith(ends));

				ExpectedProjection.assertRunsMatch(projector.db(), population);
				assertRollupsMatch(projector.db(), population);
				assertAlertsMatch(projector.db(), population);
				assertThat(RollupCheck.verify(projector.db())).isEmpty();
				assertThat(bucketsWithoutRevision(projector.db())).isZero();
				snapshots.add(snapshot(projector.db()));
			}
		}
		assertThat(snapshots).allSatisfy(snapshot -> assertThat(snapshot).isEqualTo(snapshots.get(0)));
	}

	@Test
	void verifyFindsACorruptedRollupAndRepairRestoresIt(LocalStack stack) {
		IngestPopulation population = IngestPopulation.generate(7L, 30);
		String topic = ProjectorInstance.newTopic(stack, 2);
		String database = stack.createDatabase();
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, database)) {
			Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic, population.shuffled(1));
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(ends));
			DSLContext db = projector.db();
			// Preferably a bucket with no shard-0 revision (the generated days move with
			// the clock, so there is not always one): the repair rewrites it as one
			// shard-0 row, which then needs a revision of its own (CI once caught a
			// repair
			// without).
			assertThat(db.execute("UPDATE workflow_rollups SET run_count = run_count + 1 WHERE ctid = "
					+ "(SELECT ctid FROM workflow_rollups w WHERE bucket_seconds = 86400 AND shard <> 0"
					+ " ORDER BY EXISTS (SELECT 1 FROM rollup_revisions r WHERE r.org_id = w.org_id"
					+ " AND r.bucket_seconds = 86400 AND r.bucket_start = w.bucket_start AND r.shard = 0) LIMIT 1)"))
				.isEqualTo(1);
			ByteArrayOutputStream output = new ByteArrayOutputStream();
			Map<String, String> environment = Map.of("SPRING_DATASOURCE_URL", database, "SPRING_DATASOURCE_USERNAME",
					stack.postgresUser(), "SPRING_DATASOURCE_PASSWORD", stack.postgresPassword());
			RollupCheckCommand command = new RollupCheckCommand(new PrintStream(output, true), environment);

			assertThat(command.run()).isEqualTo(1);
			assertThat(output.toString()).contains("1 rollup bucket(s) differ");
			Map<String, Long> revisionsBefore = revisions(db);
			assertThat(command.run("--repair")).isZero();
			assertThat(RollupCheck.verify(db)).isEmpty();
			assertThat(bucketsWithoutRevision(db)).isZero();
			Map<String, Long> revisionsAfterRepair = revisions(db);
			revisionsBefore.forEach((bucket, revision) -> assertThat(revisionsAfterRepair.get(bucket))
				.as("a repair gives every bucket a new revision, so readers' caches refresh: " + bucket)
				.isGreaterThan(revision));
			assertRollupsMatch(db, population);

			output.reset();
			assertThat(command.run("--repair")).as("nothing differs").isZero();
			assertThat(output.toString()).contains("0 rollup bucket(s) differ", "renewed");
			Map<String, Long> revisionsAfterSecondRepair = revisions(db);
			revisionsAfterRepair.forEach((bucket, revision) -> assertThat(revisionsAfterSecondRepair.get(bucket))
				.as("with nothing to rewrite, every revision is still renewed: " + bucket)
				.isGreaterThan(revision));
			assertRollupsMatch(db, population);
		}
	}

	/**
	 * Every rollup row, summed over shards, equals the totals computed from the generated
	 * runs.
	 */
	private static void assertRollupsMatch(DSLContext db, IngestPopulation population) {
		Map<String, String> expected = new TreeMap<>();
		Map<String, LogHistogram[]> expectedHistograms = new TreeMap<>();
		Map<String, List<ExpectedRun>> byBucket = new TreeMap<>();
		for (ExpectedRun run : population.expectedRuns().values()) {
			for (BucketLevel level : BucketLevel.values()) {
				byBucket
					.computeIfAbsent(run.orgId() + " " + run.workflowName() + " " + level.seconds() + " "
							+ level.startOf(run.startedAt()), k -> new ArrayList<>())
					.add(run);
			}
		}
		byBucket.forEach((key, runs) -> {
			LogHistogram costs = new LogHistogram();
			LogHistogram durations = new LogHistogram();
			runs.forEach(run -> costs.add(run.costUsd()));
			runs.stream()
				.filter(run -> !run.status().equals("running"))
				.forEach(run -> durations.add(run.durationMs()));
			expected.put(key,
					totals(runs.size(), count(runs, "running"), count(runs, "success"), count(runs, "error"),
							count(runs, "loop_detected"), count(runs, "timeout"),
							runs.stream().map(ExpectedRun::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add),
							runs.stream().filter(r -> r.durationMs() != null).mapToLong(ExpectedRun::durationMs).sum(),
							runs.stream().mapToLong(ExpectedRun::inputTokens).sum(),
							runs.stream().mapToLong(ExpectedRun::outputTokens).sum(),
							runs.stream().mapToLong(ExpectedRun::llmCallCount).sum(),
							runs.stream().mapToLong(ExpectedRun::toolUseCount).sum(),
							runs.stream().map(ExpectedRun::startedAt).max(Instant::compareTo).orElseThrow()));
			expectedHistograms.put(key, new LogHistogram[] { costs, durations });
		});

		Map<String, String> actual = new TreeMap<>();
		Map<String, LogHistogram[]> actualHistograms = new TreeMap<>();
		Map<String, List<WorkflowRollupsRecord>> rows = new TreeMap<>();
		for (WorkflowRollupsRecord row : db.selectFrom(WORKFLOW_ROLLUPS).fetch()) {
			rows.computeIfAbsent(row.getOrgId() + " " + row.getWorkflowName() + " " + row.getBucketSeconds() + " "
					+ row.getBucketStart().toInstant(), k -> new ArrayList<>())
				.add(row);
		}
		rows.forEach((key, shards) -> {
			LogHistogram costs = new LogHistogram();
			LogHistogram durations = new LogHistogram();
			shards.forEach(row -> {
				costs.merge(LogHistogram.fromColumns(row.getCostZero(), row.getCostBins(), row.getCostCounts()), 1);
				durations.merge(
						LogHistogram.fromColumns(row.getDurationZero(), row.getDurationBins(), row.getDurationCounts()),
						1);
			});
			actual.put(key, totals(sum(shards, WorkflowRollupsRecord::getRunCount),
					sum(shards, WorkflowRollupsRecord::getRunningCount),
					sum(shards, WorkflowRollupsRecord::getSuccessCount),
					sum(shards, WorkflowRollupsRecord::getErrorCount),
					sum(shards, WorkflowRollupsRecord::getLoopDetectedCount),
					sum(shards, WorkflowRollupsRecord::getTimeoutCount),
					shards.stream().map(WorkflowRollupsRecord::getCostTotal).reduce(BigDecimal.ZERO, BigDecimal::add),
					sum(shards, WorkflowRollupsRecord::getDurationTotalMs),
					sum(shards, WorkflowRollupsRecord::getInputTokens),
					sum(shards, WorkflowRollupsRecord::getOutputTokens),
					sum(shards, WorkflowRollupsRecord::getLlmCallCount),
					sum(shards, WorkflowRollupsRecord::getToolUseCount),
					shards.stream()
						.map(row -> row.getLastStartedAt().toInstant())
						.max(Instant::compareTo)
						.orElseThrow()));
			actualHistograms.put(key, new LogHistogram[] { costs, durations });
		});
		assertThat(actual).isEqualTo(expected);
		expectedHistograms
			.forEach((key, histograms) -> assertThat(actualHistograms.get(key)).as(key).containsExactly(histograms));
	}

	/**
	 * Tool rollups, summed over shards, equal the generated tool uses of each started
	 * run.
	 */
	private static void assertToolRollupsMatch(DSLContext db, IngestPopulation population) {
		Map<String, long[]> expected = new TreeMap<>();
		Map<String, LogHistogram> expectedDurations = new TreeMap<>();
		for (ExpectedRun run : population.expectedRuns().values()) {
			Map<String, List<IngestPopulation.ExpectedToolUse>> byTool = new TreeMap<>();
			run.toolUses().forEach(use -> byTool.computeIfAbsent(use.toolName(), t -> new ArrayList<>()).add(use));
			for (BucketLevel level : BucketLevel.values()) {
				byTool.forEach((tool, uses) -> {
					String key = run.orgId() + " " + run.workflowName() + " " + tool + " " + level.seconds() + " "
							+ level.startOf(run.startedAt());
					long[] totals = expected.computeIfAbsent(key, k -> new long[4]);
					totals[0] += uses.size();
					totals[1] += uses.stream().filter(IngestPopulation.ExpectedToolUse::error).count();
					totals[2] += uses.stream().mapToLong(IngestPopulation.ExpectedToolUse::durationMs).sum();
					totals[3] += 1;
					uses.forEach(use -> expectedDurations.computeIfAbsent(key, k -> new LogHistogram())
						.add(use.durationMs()));
				});
			}
		}
		Map<String, long[]> actual = new TreeMap<>();
		Map<String, LogHistogram> actualDurations = new TreeMap<>();
		db.selectFrom(TOOL_ROLLUPS).forEach(row -> {
			String key = row.getOrgId() + " " + row.getWorkflowName() + " " + row.getToolName() + " "
					+ row.getBucketSeconds() + " " + row.getBucketStart().toInstant();
			long[] totals = actual.computeIfAbsent(key, k -> new long[4]);
			totals[0] += row.getUseCount();
			totals[1] += row.getErrorCount();
			totals[2] += row.getDurationTotalMs();
			totals[3] += row.getRunCount();
			actualDurations.computeIfAbsent(key, k -> new LogHistogram())
				.merge(LogHistogram.fromColumns(row.getDurationZero(), row.getDurationBins(), row.getDurationCounts()),
						1);
		});
		assertThat(actual.keySet()).isEqualTo(expected.keySet());
		expected.forEach((key, totals) -> assertThat(actual.get(key)).as(key).containsExactly(totals));
		assertThat(actualDurations).isEqualTo(expectedDurations);
	}

	private static String totals(long runs, long running, long success, long error, long loops, long timeouts,
			BigDecimal cost, long duration, long input, long output, long calls, long tools, Instant lastStarted) {
		return String
			.join(" ", List
				.of(runs, running, success, error, loops, timeouts, cost.stripTrailingZeros().toPlainString(), duration,
						input, output, calls, tools, lastStarted)
				.stream()
				.map(String::valueOf)
				.toList());
	}

	private static long count(List<ExpectedRun> runs, String status) {
		return runs.stream().filter(run -> run.status().equals(status)).count();
	}

	private static long sum(List<WorkflowRollupsRecord> rows,
			java.util.function.ToLongFunction<WorkflowRollupsRecord> field) {
		return rows.stream().mapToLong(field).sum();
	}

	private static void assertAlertsMatch(DSLContext db, IngestPopulation population) {
		Map<UUID, AlertEventsRecord> rows = db.selectFrom(ALERT_EVENTS).fetchMap(ALERT_EVENTS.ALERT_EVENT_ID);
		assertThat(rows).hasSize(population.expectedAlerts().size());
		for (ExpectedAlert alert : population.expectedAlerts()) {
			AlertEventsRecord row = rows.get(alert.alertEventId());
			assertThat(row.getOrgId()).isEqualTo(alert.orgId());
			assertThat(row.getFiredAt().toInstant()).isEqualTo(alert.firedAt());
			assertThat(row.getResolvedAt() == null ? null : row.getResolvedAt().toInstant())
				.isEqualTo(alert.resolvedAt());
		}
	}

	/** Everything the read models hold, in a stable order, for comparing deliveries. */
	private static String snapshot(DSLContext db) {
		return db.select(RUNS.asterisk().except(RUNS.UPDATED_AT))
			.from(RUNS)
			.orderBy(RUNS.ORG_ID, RUNS.RUN_ID)
			.fetch()
			.formatCSV() + db.selectFrom(LLM_CALLS).orderBy(LLM_CALLS.ORG_ID, LLM_CALLS.CALL_ID).fetch().formatCSV()
				+ db.selectFrom(TOOL_USES).orderBy(TOOL_USES.ORG_ID, TOOL_USES.TOOL_EVENT_ID).fetch().formatCSV()
				+ db.selectFrom(ALERT_EVENTS)
					.orderBy(ALERT_EVENTS.ORG_ID, ALERT_EVENTS.ALERT_EVENT_ID)
					.fetch()
					.formatCSV();
	}

	/**
	 * Rollup buckets the read API could not validate its cache against: every bucket with
	 * a rollup row must have a revision.
	 */
	private static long bucketsWithoutRevision(DSLContext db) {
		String buckets = "SELECT DISTINCT org_id, bucket_seconds, bucket_start, shard FROM workflow_rollups"
				+ " UNION SELECT DISTINCT org_id, bucket_seconds, bucket_start, shard FROM tool_rollups";
		return db
			.fetchOne("SELECT count(*) FROM (" + buckets + ") b WHERE NOT EXISTS (SELECT 1 FROM rollup_revisions r"
					+ " WHERE r.org_id = b.org_id AND r.bucket_seconds = b.bucket_seconds"
					+ " AND r.bucket_start = b.bucket_start AND r.shard = b.shard)")
			.get(0, Long.class);
	}

	/** Every bucket's revision, by its key. */
	private static Map<String, Long> revisions(DSLContext db) {
		Map<String, Long> revisions = new java.util.HashMap<>();
		db.fetch("SELECT org_id || '/' || bucket_seconds || '/' || bucket_start || '/' || shard, revision"
				+ " FROM rollup_revisions")
			.forEach(row -> revisions.put(row.get(0, String.class), row.get(1, Long.class)));
		return revisions;
	}

}
