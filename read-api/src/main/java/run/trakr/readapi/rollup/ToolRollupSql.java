package run.trakr.readapi.rollup;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import org.jooq.DSLContext;

import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.jooq.tables.records.ToolRollupsRecord;
import run.trakr.schema.rollup.ToolTotals;
import run.trakr.schema.rollup.WindowCover.BucketSpan;
import run.trakr.schema.rollup.WindowCover.Interval;

import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;

/** The statements behind a workflow's tool breakdown: tool rollup rows and edge uses. */
final class ToolRollupSql {

	private final DSLContext db;

	ToolRollupSql(DSLContext db) {
		this.db = db;
	}

	/** The tool rollup rows of whole buckets, summed per tool. */
	Map<String, ToolTotals> toolBuckets(UUID orgId, String workflow, List<BucketSpan> buckets) {
		Map<String, ToolTotals> result = new HashMap<>();
		forEachToolRow(orgId, workflow, buckets,
				(row) -> result.computeIfAbsent(row.getToolName(), (name) -> new ToolTotals())
					.merge(ToolTotals.of(row)));
		result.values().forEach(ToolTotals::compact);
		return result;
	}

	/**
	 * {@link #toolBuckets} per bucket, by its start; a bucket with no uses is missing.
	 */
	Map<Instant, Map<String, ToolTotals>> toolBucketsEach(UUID orgId, String workflow, List<BucketSpan> buckets) {
		Map<Instant, Map<String, ToolTotals>> result = new HashMap<>();
		forEachToolRow(orgId, workflow, buckets,
				(row) -> result.computeIfAbsent(row.getBucketStart().toInstant(), (start) -> new HashMap<>())
					.computeIfAbsent(row.getToolName(), (name) -> new ToolTotals())
					.merge(ToolTotals.of(row)));
		// Cached per bucket: only the bins with values are kept.
		result.values().forEach((tools) -> tools.values().forEach(ToolTotals::compact));
		return result;
	}

	private void forEachToolRow(UUID orgId, String workflow, List<BucketSpan> buckets,
			Consumer<ToolRollupsRecord> action) {
		this.db.selectFrom(TOOL_ROLLUPS)
			.where(TOOL_ROLLUPS.ORG_ID.eq(orgId))
			.and(TOOL_ROLLUPS.WORKFLOW_NAME.eq(workflow))
			.and(RollupSql.bucketRanges(buckets, TOOL_ROLLUPS.BUCKET_SECONDS, TOOL_ROLLUPS.BUCKET_START))
			.forEach(action::accept);
	}

	/** Adds the tool uses of the workflow's runs started in the edges, per tool. */
	void addEdgeUses(UUID orgId, String workflow, List<Interval> edges, Map<String, ToolTotals> result) {
		Map<String, Set<UUID>> runsByTool = new HashMap<>();
		this.db.select(TOOL_USES.TOOL_NAME, TOOL_USES.STATUS, TOOL_USES.DURATION_MS, TOOL_USES.RUN_ID)
			.from(RUNS)
			.join(TOOL_USES)
			// The run's partition too: without it every week's tool uses are searched.
			.on(TOOL_USES.ORG_ID.eq(RUNS.ORG_ID)
				.and(TOOL_USES.RUN_ID.eq(RUNS.RUN_ID))
				.and(TOOL_USES.EXPIRES_ON.eq(RUNS.EXPIRES_ON)))
			.where(RUNS.ORG_ID.eq(orgId))
			.and(RUNS.WORKFLOW_NAME.eq(workflow))
			.and(RollupSql.startedWithin(edges))
			.and(RollupSql.partitionsOf(this.db, orgId, edges, RUNS.EXPIRES_ON, TOOL_USES.EXPIRES_ON))
			.forEach((row) -> {
				ToolTotals tool = result.computeIfAbsent(row.value1(), (name) -> new ToolTotals());
				tool.addUse(CallStatus.ERROR.name().equalsIgnoreCase(row.value2()), row.value3(), 1);
				if (runsByTool.computeIfAbsent(row.value1(), (name) -> new HashSet<>()).add(row.value4())) {
					tool.countRun();
				}
			});
	}

}
