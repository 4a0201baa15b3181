package run.trakr.projector.rollup;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jooq.DSLContext;

import org.springframework.stereotype.Component;

import run.trakr.projector.run.RunChange;
import run.trakr.projector.run.RunState;
import run.trakr.projector.sql.UnnestedRows;
import run.trakr.schema.jooq.tables.records.WorkflowRollupsRecord;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.WorkflowTotals;

import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * Moves each changed run's contribution in the workflow rollups at every bucket level:
 * the old state is retracted from the buckets it counted in and the new one added, with
 * the deltas of a batch coalesced per row. Rows are read and written in one locked pass,
 * in a fixed order.
 */
@Component
public class WorkflowRollups {

	private final DSLContext db;

	WorkflowRollups(DSLContext db) {
		this.db = db;
	}

	public void apply(List<RunChange> changes) {
		Map<WorkflowBucket, WorkflowTotals> deltas = new TreeMap<>(WorkflowBucket.LOCK_ORDER);
		for (RunChange change : changes) {
			if (change.before() != null && change.before().started()) {
				contribute(deltas, change.before(), change.shard(), -1);
			}
			if (change.after().started()) {
				contribute(deltas, change.after(), change.shard(), 1);
			}
		}
		if (deltas.isEmpty()) {
			return;
		}
		Map<WorkflowBucket, WorkflowTotals> rows = lock(deltas);
		deltas.forEach((bucket, delta) -> rows.computeIfAbsent(bucket, b -> new WorkflowTotals()).merge(delta));
		upsert(rows);
	}

	private static void contribute(Map<WorkflowBucket, WorkflowTotals> deltas, RunState run, int shard, int sign) {
		for (BucketLevel level : BucketLevel.values()) {
			WorkflowBucket bucket = new WorkflowBucket(run.orgId(), run.workflowName(), level,
					level.startOf(run.startedAt()), shard);
			addRun(deltas.computeIfAbsent(bucket, b -> new WorkflowTotals()), run, sign);
		}
	}

	/** Adds ({@code sign} 1) or retracts ({@code sign} -1) a started run. */
	static void addRun(WorkflowTotals totals, RunState run, int sign) {
		totals.add(run.status(), run.costUsd(), run.durationMs(), run.inputTokens(), run.outputTokens(),
				run.llmCallCount(), run.toolUseCount(), run.startedAt(), sign);
	}

	private Map<WorkflowBucket, WorkflowTotals> lock(Map<WorkflowBucket, WorkflowTotals> deltas) {
		Map<WorkflowBucket, WorkflowTotals> rows = new TreeMap<>(WorkflowBucket.LOCK_ORDER);
		UnnestedRows.of(List.copyOf(deltas.keySet()))
			.column(WORKFLOW_ROLLUPS.ORG_ID, WorkflowBucket::orgId)
			.column(WORKFLOW_ROLLUPS.WORKFLOW_NAME, WorkflowBucket::workflowName)
			.column(WORKFLOW_ROLLUPS.BUCKET_SECONDS, b -> b.level().seconds())
			.column(WORKFLOW_ROLLUPS.BUCKET_START, b -> b.bucketStart().atOffset(ZoneOffset.UTC))
			.column(WORKFLOW_ROLLUPS.SHARD, WorkflowBucket::shard)
			.lock(this.db, WORKFLOW_ROLLUPS)
			.forEach(row -> rows.put(bucket(row), WorkflowTotals.of(row)));
		return rows;
	}

	void upsert(Map<WorkflowBucket, WorkflowTotals> totals) {
		var rows = UnnestedRows.of(List.copyOf(totals.entrySet()))
			.column(WORKFLOW_ROLLUPS.ORG_ID, row -> row.getKey().orgId())
			.column(WORKFLOW_ROLLUPS.WORKFLOW_NAME, row -> row.getKey().workflowName())
			.column(WORKFLOW_ROLLUPS.BUCKET_SECONDS, row -> row.getKey().level().seconds())
			.column(WORKFLOW_ROLLUPS.BUCKET_START, row -> row.getKey().bucketStart().atOffset(ZoneOffset.UTC))
			.column(WORKFLOW_ROLLUPS.SHARD, row -> row.getKey().shard())
			.columns(WorkflowTotals.COLUMNS, Map.Entry::getValue);
		rows.upsert(this.db, WORKFLOW_ROLLUPS, List.of(WORKFLOW_ROLLUPS.ORG_ID, WORKFLOW_ROLLUPS.BUCKET_SECONDS,
				WORKFLOW_ROLLUPS.BUCKET_START, WORKFLOW_ROLLUPS.WORKFLOW_NAME, WORKFLOW_ROLLUPS.SHARD));
	}

	private static WorkflowBucket bucket(WorkflowRollupsRecord row) {
		return new WorkflowBucket(row.getOrgId(), row.getWorkflowName(), BucketLevel.ofSeconds(row.getBucketSeconds()),
				row.getBucketStart().toInstant(), row.getShard());
	}

}
