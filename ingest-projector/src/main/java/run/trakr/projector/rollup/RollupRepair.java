package run.trakr.projector.rollup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jooq.Condition;
import org.jooq.DSLContext;

import run.trakr.schema.rollup.ToolTotals;
import run.trakr.schema.rollup.WorkflowTotals;

import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * Rewrites the buckets {@link RollupCheck#verify} found different, beside a live
 * projector: it takes the partitions' offset locks only while it rewrites a chunk of
 * buckets, so batches wait for that alone.
 */
final class RollupRepair {

	private RollupRepair() {
	}

	/**
	 * Gives every bucket a new revision without rewriting a row; returns how many. Holds
	 * the partitions' offset locks like {@link #repair}, so no batch interleaves.
	 */
	static int renewRevisions(DSLContext db) {
		return db.transactionResult(transaction -> {
			DSLContext locked = transaction.dsl();
			lockProjection(locked);
			return RollupRevisions.bumpAll(locked);
		});
	}

	/**
	 * Rewrites each differing bucket from the run rows (one row, shard 0), a chunk of
	 * buckets a transaction, each under the partitions' offset locks: a batch in flight
	 * either committed before (its runs are counted) or waits and adds its delta after.
	 * Returns the buckets rewritten. Revisions are renewed by the caller.
	 */
	static int repair(DSLContext db, List<RollupCheck.Difference> differences) {
		int repaired = 0;
		for (List<RollupCheck.Difference> chunk : chunks(differences, 200)) {
			repaired += db.transactionResult(transaction -> {
				DSLContext locked = transaction.dsl();
				lockProjection(locked);
				for (RollupCheck.Difference difference : chunk) {
					if (difference.key() instanceof RollupCheck.BucketKey key) {
						rewrite(locked, key);
					}
					else if (difference.key() instanceof ToolBucket key) {
						rewrite(locked, key);
					}
				}
				return chunk.size();
			});
		}
		return repaired;
	}

	private static void rewrite(DSLContext db, RollupCheck.BucketKey key) {
		Condition runs = RollupCheck.bucketRuns(key.orgId(), key.workflowName(), key.level(), key.bucketStart());
		WorkflowTotals totals = RollupCheck.recompute(db, runs, 0, RollupCheck.Progress.NONE).get(key);
		db.deleteFrom(WORKFLOW_ROLLUPS)
			.where(WORKFLOW_ROLLUPS.ORG_ID.eq(key.orgId()))
			.and(WORKFLOW_ROLLUPS.WORKFLOW_NAME.eq(key.workflowName()))
			.and(WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(key.level().seconds()))
			.and(WORKFLOW_ROLLUPS.BUCKET_START.eq(RollupCheck.utc(key.bucketStart())))
			.execute();
		if (totals != null) {
			Map<WorkflowBucket, WorkflowTotals> row = new TreeMap<>(WorkflowBucket.LOCK_ORDER);
			row.put(new WorkflowBucket(key.orgId(), key.workflowName(), key.level(), key.bucketStart(), 0), totals);
			new WorkflowRollups(db).upsert(row);
		}
		// The rewritten row is shard 0, which may not have had a revision yet.
		RollupRevisions.bump(db, List.of(new RollupRevisions.Touched(key.orgId(), key.level(), key.bucketStart(), 0)));
	}

	private static void rewrite(DSLContext db, ToolBucket key) {
		Condition runs = RollupCheck.bucketRuns(key.orgId(), key.workflowName(), key.level(), key.bucketStart());
		ToolTotals totals = RollupCheck.recomputeTools(db, runs.and(TOOL_USES.TOOL_NAME.eq(key.toolName()))).get(key);
		db.deleteFrom(TOOL_ROLLUPS)
			.where(TOOL_ROLLUPS.ORG_ID.eq(key.orgId()))
			.and(TOOL_ROLLUPS.WORKFLOW_NAME.eq(key.workflowName()))
			.and(TOOL_ROLLUPS.TOOL_NAME.eq(key.toolName()))
			.and(TOOL_ROLLUPS.BUCKET_SECONDS.eq(key.level().seconds()))
			.and(TOOL_ROLLUPS.BUCKET_START.eq(RollupCheck.utc(key.bucketStart())))
			.execute();
		if (totals != null) {
			Map<ToolBucket, ToolTotals> row = new TreeMap<>(ToolBucket.LOCK_ORDER);
			row.put(key, totals);
			new ToolRollups(db).upsert(row);
		}
		RollupRevisions.bump(db, List.of(new RollupRevisions.Touched(key.orgId(), key.level(), key.bucketStart(), 0)));
	}

	private static void lockProjection(DSLContext db) {
		db.selectFrom(PROJECTOR_OFFSETS)
			.orderBy(PROJECTOR_OFFSETS.TOPIC, PROJECTOR_OFFSETS.PARTITION)
			.forUpdate()
			.fetch();
	}

	private static <T> List<List<T>> chunks(List<T> items, int size) {
		List<List<T>> chunks = new ArrayList<>();
		List<T> current = new ArrayList<>();
		for (T entry : items) {
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
