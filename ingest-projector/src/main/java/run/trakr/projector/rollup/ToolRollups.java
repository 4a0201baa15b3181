package run.trakr.projector.rollup;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.jooq.DSLContext;

import org.springframework.stereotype.Component;

import run.trakr.projector.run.RunChange;
import run.trakr.projector.run.RunHomes;
import run.trakr.projector.run.RunState;
import run.trakr.projector.sql.UnnestedRows;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.jooq.tables.records.ToolRollupsRecord;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.ToolTotals;

import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;

/**
 * Per-workflow, per-tool rollups. A run's contribution is its tool uses grouped by tool,
 * in the buckets of its start: when a run starts, or new tool uses of a started run
 * arrive, the old contribution is retracted and the new one added, as for
 * {@link WorkflowRollups}.
 */
@Component
public class ToolRollups {

	private record RunKey(UUID orgId, UUID runId) {
	}

	private final DSLContext db;

	ToolRollups(DSLContext db) {
		this.db = db;
	}

	/** {@code newToolUses}: the tool uses first inserted by this batch. */
	public void apply(List<RunChange> changes, List<ToolUsed> newToolUses, RunHomes.Resolved homes) {
		Map<RunKey, List<ToolUsed>> newByRun = new HashMap<>();
		newToolUses.forEach(use -> newByRun
			.computeIfAbsent(new RunKey(use.envelope().orgId(), use.runId()), key -> new ArrayList<>())
			.add(use));
		List<RunChange> relevant = changes.stream().filter(change -> {
			boolean startedNow = change.after().started() && (change.before() == null || !change.before().started());
			boolean newUses = newByRun.containsKey(new RunKey(change.after().orgId(), change.after().runId()));
			return change.after().started() && (startedNow || newUses);
		}).toList();
		if (relevant.isEmpty()) {
			return;
		}
		Map<RunKey, Map<String, ToolTotals>> current = toolUsesOf(relevant, newByRun, homes);
		Map<ToolBucket, ToolTotals> deltas = new TreeMap<>(ToolBucket.LOCK_ORDER);
		for (RunChange change : relevant) {
			RunKey key = new RunKey(change.after().orgId(), change.after().runId());
			Map<String, ToolTotals> after = current.getOrDefault(key, Map.of());
			if (change.before() != null && change.before().started()) {
				Map<String, ToolTotals> before = withoutNew(after, newByRun.getOrDefault(key, List.of()));
				contribute(deltas, change.before(), change.shard(), before, -1);
			}
			contribute(deltas, change.after(), change.shard(), after, 1);
		}
		Map<ToolBucket, ToolTotals> rows = lock(deltas);
		deltas.forEach((bucket, delta) -> rows.computeIfAbsent(bucket, b -> new ToolTotals()).merge(delta));
		upsert(rows);
	}

	private static void contribute(Map<ToolBucket, ToolTotals> deltas, RunState run, int shard,
			Map<String, ToolTotals> uses, int sign) {
		uses.forEach((tool, totals) -> {
			for (BucketLevel level : BucketLevel.values()) {
				deltas
					.computeIfAbsent(new ToolBucket(run.orgId(), run.workflowName(), tool, level,
							level.startOf(run.startedAt()), shard), b -> new ToolTotals())
					.addRun(totals, sign);
			}
		});
	}

	/**
	 * Each run's tool uses by tool. A run with none before this batch has exactly the
	 * batch's new ones (its row counts every use in the transaction that inserts it), so
	 * only the others are read back.
	 */
	private Map<RunKey, Map<String, ToolTotals>> toolUsesOf(List<RunChange> changes,
			Map<RunKey, List<ToolUsed>> newByRun, RunHomes.Resolved homes) {
		Map<RunKey, Map<String, ToolTotals>> uses = new HashMap<>();
		List<RunChange> usedToolsBefore = new ArrayList<>();
		for (RunChange change : changes) {
			RunKey key = new RunKey(change.after().orgId(), change.after().runId());
			if (change.before() != null && change.before().toolUseCount() > 0) {
				usedToolsBefore.add(change);
			}
			else {
				newByRun.getOrDefault(key, List.of())
					.forEach(use -> add(uses, key, use.toolName(), use.status() == IngestEvent.CallStatus.ERROR,
							use.durationMs()));
			}
		}
		if (usedToolsBefore.isEmpty()) {
			return uses;
		}
		UnnestedRows.of(usedToolsBefore)
			.column(TOOL_USES.ORG_ID, change -> change.after().orgId())
			.column(TOOL_USES.RUN_ID, change -> change.after().runId())
			.column(TOOL_USES.EXPIRES_ON, change -> homes.of(change.after().orgId(), change.after().runId()))
			.lookup(this.db, TOOL_USES)
			.forEach(r -> add(uses, new RunKey(r.getOrgId(), r.getRunId()), r.getToolName(), failed(r.getStatus()),
					r.getDurationMs()));
		return uses;
	}

	/** Whether a stored tool-use status ({@code tool_uses.status}) is a failure. */
	static boolean failed(String storedStatus) {
		return IngestEvent.CallStatus.ERROR.name().equalsIgnoreCase(storedStatus);
	}

	private static void add(Map<RunKey, Map<String, ToolTotals>> uses, RunKey run, String tool, boolean error,
			long durationMs) {
		uses.computeIfAbsent(run, k -> new HashMap<>())
			.computeIfAbsent(tool, t -> new ToolTotals())
			.addUse(error, durationMs, 1);
	}

	/** The run's uses as they were before this batch inserted {@code added}. */
	private static Map<String, ToolTotals> withoutNew(Map<String, ToolTotals> after, List<ToolUsed> added) {
		Map<String, ToolTotals> before = new HashMap<>();
		after.forEach((tool, totals) -> before.computeIfAbsent(tool, t -> new ToolTotals()).merge(totals));
		for (ToolUsed use : added) {
			before.get(use.toolName()).addUse(use.status() == IngestEvent.CallStatus.ERROR, use.durationMs(), -1);
		}
		before.values().removeIf(totals -> totals.useCount() == 0);
		return before;
	}

	private Map<ToolBucket, ToolTotals> lock(Map<ToolBucket, ToolTotals> deltas) {
		Map<ToolBucket, ToolTotals> rows = new TreeMap<>(ToolBucket.LOCK_ORDER);
		UnnestedRows.of(List.copyOf(deltas.keySet()))
			.column(TOOL_ROLLUPS.ORG_ID, ToolBucket::orgId)
			.column(TOOL_ROLLUPS.WORKFLOW_NAME, ToolBucket::workflowName)
			.column(TOOL_ROLLUPS.BUCKET_SECONDS, b -> b.level().seconds())
			.column(TOOL_ROLLUPS.BUCKET_START, b -> b.bucketStart().atOffset(ZoneOffset.UTC))
			.column(TOOL_ROLLUPS.TOOL_NAME, ToolBucket::toolName)
			.column(TOOL_ROLLUPS.SHARD, ToolBucket::shard)
			.lock(this.db, TOOL_ROLLUPS)
			.forEach(row -> rows.put(bucket(row), ToolTotals.of(row)));
		return rows;
	}

	void upsert(Map<ToolBucket, ToolTotals> totals) {
		var rows = UnnestedRows.of(List.copyOf(totals.entrySet()))
			.column(TOOL_ROLLUPS.ORG_ID, row -> row.getKey().orgId())
			.column(TOOL_ROLLUPS.WORKFLOW_NAME, row -> row.getKey().workflowName())
			.column(TOOL_ROLLUPS.TOOL_NAME, row -> row.getKey().toolName())
			.column(TOOL_ROLLUPS.BUCKET_SECONDS, row -> row.getKey().level().seconds())
			.column(TOOL_ROLLUPS.BUCKET_START, row -> row.getKey().bucketStart().atOffset(ZoneOffset.UTC))
			.column(TOOL_ROLLUPS.SHARD, row -> row.getKey().shard())
			.columns(ToolTotals.COLUMNS, Map.Entry::getValue);
		rows.upsert(this.db, TOOL_ROLLUPS, List.of(TOOL_ROLLUPS.ORG_ID, TOOL_ROLLUPS.WORKFLOW_NAME,
				TOOL_ROLLUPS.BUCKET_SECONDS, TOOL_ROLLUPS.BUCKET_START, TOOL_ROLLUPS.TOOL_NAME, TOOL_ROLLUPS.SHARD));
	}

	static ToolBucket bucket(ToolRollupsRecord row) {
		return new ToolBucket(row.getOrgId(), row.getWorkflowName(), row.getToolName(),
				BucketLevel.ofSeconds(row.getBucketSeconds()), row.getBucketStart().toInstant(), row.getShard());
	}

}
