package run.trakr.projector.rollup;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.DSLContext;

import run.trakr.projector.run.RunState;
import run.trakr.schema.jooq.tables.records.RunsRecord;
import run.trakr.schema.jooq.tables.records.WorkflowRollupsRecord;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.ToolTotals;
import run.trakr.schema.rollup.WorkflowTotals;

import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * Recomputes the workflow and tool rollups of a scope from the run and tool-use rows and
 * compares them with what the projector maintained (summed over shards);
 * {@link RollupRepair} rewrites the buckets that differ. Made to run beside a live
 * projector: {@link #verify} reads one snapshot (the projector commits runs and rollups
 * together, so any snapshot agrees with itself) and locks nothing.
 */
public final class RollupCheck {

	/**
	 * A bucket whose stored totals differ from the recomputed ones.
	 *
	 * @param key the bucket ({@code BucketKey} or {@link ToolBucket} with shard 0)
	 */
	public record Difference(Object key, String bucket, String stored, String recomputed) {
	}

	/** Told how far the scan of the runs has come. */
	@FunctionalInterface
	public interface Progress {

		Progress NONE = (done, total) -> {
		};

		void runsScanned(long done, long total);

	}

	record BucketKey(UUID orgId, String workflowName, BucketLevel level, Instant bucketStart) {
	}

	private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

	private RollupCheck() {
	}

	public static List<Difference> verify(DSLContext db) {
		return verify(db, RollupScope.EVERYTHING, Progress.NONE);
	}

	/**
	 * {@link #verify(DSLContext, RollupScope, Progress, LocalDate)} as of today (UTC).
	 */
	public static List<Difference> verify(DSLContext db, RollupScope scope, Progress progress) {
		return verify(db, scope, progress, LocalDate.now(ZoneOffset.UTC));
	}

	/**
	 * The buckets of the scope that differ, from one snapshot and without a lock. Only
	 * what each org still retains on {@code today} is checked: the rollups of expired
	 * runs outlive their rows by design.
	 */
	public static List<Difference> verify(DSLContext db, RollupScope scope, Progress progress, LocalDate today) {
		return db.transactionResult(transaction -> {
			DSLContext snapshot = transaction.dsl();
			snapshot.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
			long runs = snapshot.fetchCount(RUNS, scope.runs(today));
			Map<BucketKey, WorkflowTotals> recomputed = recompute(snapshot, scope.runs(today), runs, progress);
			Map<BucketKey, WorkflowTotals> stored = stored(snapshot, scope.workflowRollups(today));
			Set<BucketKey> keys = new HashSet<>(recomputed.keySet());
			keys.addAll(stored.keySet());
			List<Difference> differences = new ArrayList<>();
			for (BucketKey key : keys) {
				String want = recomputed.getOrDefault(key, new WorkflowTotals()).toString();
				String have = stored.getOrDefault(key, new WorkflowTotals()).toString();
				if (!want.equals(have)) {
					differences.add(new Difference(key, key.toString(), have, want));
				}
			}
			Map<ToolBucket, ToolTotals> toolsRecomputed = recomputeTools(snapshot, scope.runs(today));
			Map<ToolBucket, ToolTotals> toolsStored = storedTools(snapshot, scope.toolRollups(today));
			Set<ToolBucket> toolKeys = new HashSet<>(toolsRecomputed.keySet());
			toolKeys.addAll(toolsStored.keySet());
			for (ToolBucket key : toolKeys) {
				String want = toolsRecomputed.getOrDefault(key, new ToolTotals()).toString();
				String have = toolsStored.getOrDefault(key, new ToolTotals()).toString();
				if (!want.equals(have)) {
					differences.add(new Difference(key, key.toString(), have, want));
				}
			}
			return differences;
		});
	}

	static Condition bucketRuns(UUID org, String workflowName, BucketLevel level, Instant start) {
		return RUNS.STARTED_AT.isNotNull()
			.and(RUNS.ORG_ID.eq(org))
			.and(RUNS.WORKFLOW_NAME.eq(workflowName))
			.and(RUNS.STARTED_AT.ge(utc(start)))
			.and(RUNS.STARTED_AT.lt(utc(start.plus(level.width()))));
	}

	static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	/**
	 * Tool rollups from the tool uses of started runs, with shard 0 (stored ones are
	 * summed over shards).
	 */
	static Map<ToolBucket, ToolTotals> recomputeTools(DSLContext db, Condition runs) {
		Map<String, ToolTotals> perRunTool = new LinkedHashMap<>();
		Map<String, ToolBucket[]> bucketsOf = new HashMap<>();
		try (var uses = db
			.select(TOOL_USES.ORG_ID, TOOL_USES.RUN_ID, TOOL_USES.TOOL_NAME, TOOL_USES.STATUS, TOOL_USES.DURATION_MS,
					RUNS.WORKFLOW_NAME, RUNS.STARTED_AT)
			.from(TOOL_USES)
			.join(RUNS)
			.on(RUNS.ORG_ID.eq(TOOL_USES.ORG_ID)
				.and(RUNS.RUN_ID.eq(TOOL_USES.RUN_ID))
				.and(RUNS.EXPIRES_ON.eq(TOOL_USES.EXPIRES_ON)))
			.where(runs)
			.fetchSize(5000)
			.fetchLazy()) {
			for (var use : uses) {
				String runTool = use.value1() + "/" + use.value2() + "/" + use.value3();
				perRunTool.computeIfAbsent(runTool, k -> new ToolTotals())
					.addUse(ToolRollups.failed(use.value4()), use.value5(), 1);
				bucketsOf.computeIfAbsent(runTool, k -> {
					ToolBucket[] buckets = new ToolBucket[BucketLevel.values().length];
					for (BucketLevel level : BucketLevel.values()) {
						buckets[level.ordinal()] = new ToolBucket(use.value1(), use.value6(), use.value3(), level,
								level.startOf(use.value7().toInstant()), 0);
					}
					return buckets;
				});
			}
		}
		Map<ToolBucket, ToolTotals> totals = new TreeMap<>(ToolBucket.LOCK_ORDER);
		perRunTool.forEach((runTool, runTotals) -> {
			for (ToolBucket bucket : bucketsOf.get(runTool)) {
				totals.computeIfAbsent(bucket, b -> new ToolTotals()).addRun(runTotals, 1);
			}
		});
		return totals;
	}

	private static Map<ToolBucket, ToolTotals> storedTools(DSLContext db, Condition scope) {
		Map<ToolBucket, ToolTotals> totals = new TreeMap<>(ToolBucket.LOCK_ORDER);
		try (var rows = db.selectFrom(TOOL_ROLLUPS).where(scope).fetchSize(5000).fetchLazy()) {
			for (var row : rows) {
				ToolBucket stored = ToolRollups.bucket(row);
				totals
					.computeIfAbsent(new ToolBucket(stored.orgId(), stored.workflowName(), stored.toolName(),
							stored.level(), stored.bucketStart(), 0), b -> new ToolTotals())
					.merge(ToolTotals.of(row));
			}
		}
		return totals;
	}

	static Map<BucketKey, WorkflowTotals> recompute(DSLContext db, Condition scope, long total, Progress progress) {
		Map<BucketKey, WorkflowTotals> totals = new TreeMap<>(Comparator.comparing(BucketKey::toString));
		long done = 0;
		long nextReport = System.nanoTime();
		try (Cursor<RunsRecord> runs = db.selectFrom(RUNS).where(scope).fetchSize(5000).fetchLazy()) {
			for (RunsRecord row : runs) {
				if (++done % 1000 == 0 && System.nanoTime() >= nextReport) {
					progress.runsScanned(done, total);
					nextReport = System.nanoTime() + PROGRESS_EVERY.toNanos();
				}
				RunState run = RunState.of(row);
				for (BucketLevel level : BucketLevel.values()) {
					WorkflowRollups.addRun(totals.computeIfAbsent(
							new BucketKey(run.orgId(), run.workflowName(), level, level.startOf(run.startedAt())),
							key -> new WorkflowTotals()), run, 1);
				}
			}
		}
		return totals;
	}

	private static Map<BucketKey, WorkflowTotals> stored(DSLContext db, Condition scope) {
		Map<BucketKey, WorkflowTotals> totals = new TreeMap<>(Comparator.comparing(BucketKey::toString));
		try (Cursor<WorkflowRollupsRecord> rows = db.selectFrom(WORKFLOW_ROLLUPS)
			.where(scope)
			.fetchSize(5000)
			.fetchLazy()) {
			for (WorkflowRollupsRecord row : rows) {
				totals
					.computeIfAbsent(
							new BucketKey(row.getOrgId(), row.getWorkflowName(),
									BucketLevel.ofSeconds(row.getBucketSeconds()), row.getBucketStart().toInstant()),
							key -> new WorkflowTotals())
					.merge(WorkflowTotals.of(row));
			}
		}
		return totals;
	}

}
