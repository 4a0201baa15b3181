package run.trakr.projector.rollup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.jooq.Cursor;
import org.jooq.DSLContext;

import run.trakr.projector.run.RunState;
import run.trakr.schema.jooq.tables.records.RunsRecord;
import run.trakr.schema.jooq.tables.records.WorkflowRollupsRecord;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.WorkflowTotals;

import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * Recomputes every workflow and tool rollup from the run and tool-use rows and compares
 * it with what the projector maintained (summed over shards); {@link #repair} replaces
 * the rollups with the recomputation. Both take every partition's offset lock first, so
 * no batch is projected meanwhile.
 */
public final class RollupCheck {

	/** A bucket whose stored totals differ from the recomputed ones. */
	public record Difference(String bucket, String stored, String recomputed) {
	}

	private record BucketKey(UUID orgId, String workflowName, BucketLevel level, Instant bucketStart) {
	}

	private RollupCheck() {
	}

	public static List<Difference> verify(DSLContext db) {
		return db.transactionResult(transaction -> {
			DSLContext locked = transaction.dsl();
			lockProjection(locked);
			Map<BucketKey, WorkflowTotals> recomputed = recompute(locked);
			Map<BucketKey, WorkflowTotals> stored = stored(locked);
			Set<BucketKey> keys = new HashSet<>(recomputed.keySet());
			keys.addAll(stored.keySet());
			List<Difference> differences = new ArrayList<>();
			for (BucketKey key : keys) {
				String want = recomputed.getOrDefault(key, new WorkflowTotals()).toString();
				String have = stored.getOrDefault(key, new WorkflowTotals()).toString();
				if (!want.equals(have)) {
					differences.add(new Difference(key.toString(), have, want));
				}
			}
			Map<ToolBucket, ToolTotals> toolsRecomputed = recomputeTools(locked);
			Map<ToolBucket, ToolTotals> toolsStored = storedTools(locked);
			Set<ToolBucket> toolKeys = new HashSet<>(toolsRecomputed.keySet());
			toolKeys.addAll(toolsStored.keySet());
			for (ToolBucket key : toolKeys) {
				String want = toolsRecomputed.getOrDefault(key, new ToolTotals()).describe();
				String have = toolsStored.getOrDefault(key, new ToolTotals()).describe();
				if (!want.equals(have)) {
					differences.add(new Difference(key.toString(), have, want));
				}
			}
			return differences;
		});
	}

	/**
	 * Gives every bucket a new revision without rewriting a row; returns how many. Holds
	 * the partitions' offset locks like {@link #repair}, so no batch interleaves.
	 */
	public static int renewRevisions(DSLContext db) {
		return db.transactionResult(transaction -> {
			DSLContext locked = transaction.dsl();
			lockProjection(locked);
			return RollupRevisions.bumpAll(locked);
		});
	}

	/**
	 * Rewrites every rollup from the run rows (one row per bucket, shard 0); returns the
	 * rows written.
	 */
	public static int repair(DSLContext db) {
		return db.transactionResult(transaction -> {
			DSLContext locked = transaction.dsl();
			lockProjection(locked);
			Map<BucketKey, WorkflowTotals> recomputed = recompute(locked);
			locked.deleteFrom(WORKFLOW_ROLLUPS).execute();
			Map<WorkflowBucket, WorkflowTotals> rows = new TreeMap<>(WorkflowBucket.LOCK_ORDER);
			recomputed.forEach((key, totals) -> rows
				.put(new WorkflowBucket(key.orgId(), key.workflowName(), key.level(), key.bucketStart(), 0), totals));
			WorkflowRollups writer = new WorkflowRollups(locked);
			for (List<Map.Entry<WorkflowBucket, WorkflowTotals>> chunk : chunks(rows, 1000)) {
				Map<WorkflowBucket, WorkflowTotals> part = new TreeMap<>(WorkflowBucket.LOCK_ORDER);
				chunk.forEach(entry -> part.put(entry.getKey(), entry.getValue()));
				writer.upsert(part);
			}
			locked.deleteFrom(TOOL_ROLLUPS).execute();
			Map<ToolBucket, ToolTotals> tools = recomputeTools(locked);
			ToolRollups toolWriter = new ToolRollups(locked);
			for (List<Map.Entry<ToolBucket, ToolTotals>> chunk : chunks(tools, 1000)) {
				Map<ToolBucket, ToolTotals> part = new TreeMap<>(ToolBucket.LOCK_ORDER);
				chunk.forEach(entry -> part.put(entry.getKey(), entry.getValue()));
				toolWriter.upsert(part);
			}
			// Readers' caches must not outlive the rewrite.
			RollupRevisions.bumpAll(locked);
			java.util.Set<RollupRevisions.Touched> touched = new java.util.TreeSet<>(
					RollupRevisions.Touched.LOCK_ORDER);
			rows.keySet()
				.forEach(bucket -> touched.add(new RollupRevisions.Touched(bucket.orgId(), bucket.level(),
						bucket.bucketStart(), bucket.shard())));
			RollupRevisions.bump(locked, touched);
			return rows.size() + tools.size();
		});
	}

	/**
	 * Tool rollups from the tool uses of started runs, with shard 0 (stored ones are
	 * summed over shards).
	 */
	private static Map<ToolBucket, ToolTotals> recomputeTools(DSLContext db) {
		Map<String, ToolTotals> perRunTool = new java.util.LinkedHashMap<>();
		Map<String, ToolBucket[]> bucketsOf = new java.util.HashMap<>();
		try (var uses = db
			.select(TOOL_USES.ORG_ID, TOOL_USES.RUN_ID, TOOL_USES.TOOL_NAME, TOOL_USES.STATUS, TOOL_USES.DURATION_MS,
					RUNS.WORKFLOW_NAME, RUNS.STARTED_AT)
			.from(TOOL_USES)
			.join(RUNS)
			.on(RUNS.ORG_ID.eq(TOOL_USES.ORG_ID).and(RUNS.RUN_ID.eq(TOOL_USES.RUN_ID)))
			.where(RUNS.STARTED_AT.isNotNull())
			.fetchSize(5000)
			.fetchLazy()) {
			for (var use : uses) {
				String runTool = use.value1() + "/" + use.value2() + "/" + use.value3();
				perRunTool.computeIfAbsent(runTool, k -> new ToolTotals())
					.addUse("error".equals(use.value4()), use.value5(), 1);
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

	private static Map<ToolBucket, ToolTotals> storedTools(DSLContext db) {
		Map<ToolBucket, ToolTotals> totals = new TreeMap<>(ToolBucket.LOCK_ORDER);
		try (var rows = db.selectFrom(TOOL_ROLLUPS).fetchSize(5000).fetchLazy()) {
			for (var row : rows) {
				ToolBucket stored = ToolRollups.bucket(row);
				totals
					.computeIfAbsent(new ToolBucket(stored.orgId(), stored.workflowName(), stored.toolName(),
							stored.level(), stored.bucketStart(), 0), b -> new ToolTotals())
					.merge(ToolRollups.totals(row));
			}
		}
		return totals;
	}

	private static void lockProjection(DSLContext db) {
		db.selectFrom(PROJECTOR_OFFSETS)
			.orderBy(PROJECTOR_OFFSETS.TOPIC, PROJECTOR_OFFSETS.PARTITION)
			.forUpdate()
			.fetch();
	}

	private static Map<BucketKey, WorkflowTotals> recompute(DSLContext db) {
		Map<BucketKey, WorkflowTotals> totals = new TreeMap<>(java.util.Comparator.comparing(BucketKey::toString));
		try (Cursor<RunsRecord> runs = db.selectFrom(RUNS)
			.where(RUNS.STARTED_AT.isNotNull())
			.fetchSize(5000)
			.fetchLazy()) {
			for (RunsRecord row : runs) {
				RunState run = new RunState(row.getOrgId(), row.getRunId(), row.getWorkflowName(),
						row.getStartedAt().toInstant(), row.getRunIdExternal(), row.getParentRunId(), row.getStatus(),
						(row.getEndedAt() != null) ? row.getEndedAt().toInstant() : null, row.getCostUsd(),
						row.getInputTokens(), row.getOutputTokens(), row.getLlmCallCount(), row.getToolUseCount());
				for (BucketLevel level : BucketLevel.values()) {
					WorkflowRollups.addRun(totals.computeIfAbsent(
							new BucketKey(run.orgId(), run.workflowName(), level, level.startOf(run.startedAt())),
							key -> new WorkflowTotals()), run, 1);
				}
			}
		}
		return totals;
	}

	private static Map<BucketKey, WorkflowTotals> stored(DSLContext db) {
		Map<BucketKey, WorkflowTotals> totals = new TreeMap<>(java.util.Comparator.comparing(BucketKey::toString));
		try (Cursor<WorkflowRollupsRecord> rows = db.selectFrom(WORKFLOW_ROLLUPS).fetchSize(5000).fetchLazy()) {
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

	private static <K, V> List<List<Map.Entry<K, V>>> chunks(Map<K, V> map, int size) {
		List<List<Map.Entry<K, V>>> chunks = new ArrayList<>();
		List<Map.Entry<K, V>> current = new ArrayList<>();
		for (Map.Entry<K, V> entry : map.entrySet()) {
			current.add(entry);
			if (current.size() == size) {
				chunks.add(current);
				current = new ArrayList<>();
			}
		}
		if (!current.isEmpty()) {
			chunks.add(current);
		}
		return chunks;
	}

}
