package run.trakr.readapi.rollup;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;

import run.trakr.readapi.query.RunPartitions;
import run.trakr.schema.RunStatus;
import run.trakr.schema.jooq.tables.records.WorkflowRollupsRecord;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.WindowCover;
import run.trakr.schema.rollup.WindowCover.BucketSpan;
import run.trakr.schema.rollup.WindowCover.Interval;
import run.trakr.schema.rollup.WorkflowTotals;

import static org.jooq.impl.DSL.falseCondition;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.or;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;
import static run.trakr.schema.jooq.Tables.ROLLUP_REVISIONS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * The statements behind the workflow aggregates: bucket revisions, workflow rollup rows
 * and the run rows of edges. No caching here, but of the revisions ({@link RevisionWatch}
 * remembers them until a revision table changes); {@link RollupReader} decides what to
 * read.
 */
final class RollupSql {

	/**
	 * The sum of the revisions of the whole buckets of each level (0 when none has one),
	 * and the revision of each 5-minute bucket whose runs make up an edge. A sum, not the
	 * largest: two consumers commit in another order than they drew their revisions, so a
	 * bucket can get a smaller revision after a larger one became visible elsewhere in
	 * the range, which leaves the largest unchanged; a row's own revision only grows (one
	 * shard's batches are serial), so the sum grows with every change.
	 */
	record Revisions(Map<BucketLevel, Long> levels, Map<Instant, Long> edgeBuckets) {

		/**
		 * The sum over every level: a value computed from all of them holds while it
		 * stands (the largest level's sum would hide a change in a smaller one).
		 */
		long wholeBuckets() {
			return this.levels.values().stream().mapToLong(Long::longValue).sum();
		}

	}

	/** What one {@link #revisions} read is remembered by. */
	private record RevisionsRead(UUID orgId, List<BucketSpan> buckets, List<Instant> edgeBuckets) {
	}

	/** What one {@link #bucketRevisions} read is remembered by. */
	private record BucketRevisionsRead(UUID orgId, BucketLevel level, List<BucketSpan> spans) {
	}

	private final DSLContext db;

	private final RevisionWatch watch;

	RollupSql(DSLContext db, RevisionWatch watch) {
		this.db = db;
		this.watch = watch;
	}

	/**
	 * The revisions a cached value is checked against, in one statement unless nothing
	 * changed since it last ran.
	 */
	Revisions revisions(UUID orgId, List<BucketSpan> buckets, List<Instant> edgeBuckets) {
		return this.watch.read(new RevisionsRead(orgId, List.copyOf(buckets), List.copyOf(edgeBuckets)),
				() -> readRevisions(orgId, buckets, edgeBuckets));
	}

	private Revisions readRevisions(UUID orgId, List<BucketSpan> buckets, List<Instant> edgeBuckets) {
		// One row per range of consecutive buckets: its slot (a level's ordinal,
		// or an edge bucket's), its width, its first and last start. The text is
		// the same for every window (the ranges travel as arrays), which keeps
		// rendering it cheap: the old per-range conditions were half a request.
		List<Integer> slots = new ArrayList<>();
		List<Integer> widths = new ArrayList<>();
		List<OffsetDateTime> firsts = new ArrayList<>();
		List<OffsetDateTime> lasts = new ArrayList<>();
		for (BucketSpan span : WindowCover.joined(buckets)) {
			slots.add(span.level().ordinal());
			widths.add(span.level().seconds());
			firsts.add(span.start().atOffset(ZoneOffset.UTC));
			lasts.add(span.lastStart().atOffset(ZoneOffset.UTC));
		}
		for (int i = 0; i < edgeBuckets.size(); i++) {
			slots.add(BucketLevel.values().length + i);
			widths.add(BucketLevel.FIVE_MINUTES.seconds());
			firsts.add(edgeBuckets.get(i).atOffset(ZoneOffset.UTC));
			lasts.add(edgeBuckets.get(i).atOffset(ZoneOffset.UTC));
		}
		Map<Integer, Long> bySlot = new HashMap<>();
		if (!slots.isEmpty()) {
			Table<?> ranges = table("unnest({0}, {1}, {2}, {3})", val(slots.toArray(Integer[]::new)),
					val(widths.toArray(Integer[]::new)), val(firsts.toArray(OffsetDateTime[]::new)),
					val(lasts.toArray(OffsetDateTime[]::new)))
				.as("ranges", "slot", "width", "first_start", "last_start");
			Field<Integer> slot = field(name("ranges", "slot"), Integer.class);
			Table<?> latest = lateral(
					select(sum(ROLLUP_REVISIONS.REVISION).cast(Long.class).as("revision")).from(ROLLUP_REVISIONS)
						.where(ROLLUP_REVISIONS.ORG_ID.eq(orgId))
						.and(ROLLUP_REVISIONS.BUCKET_SECONDS.eq(field(name("ranges", "width"), Integer.class)))
						.and(ROLLUP_REVISIONS.BUCKET_START.between(
								field(name("ranges", "first_start"), OffsetDateTime.class),
								field(name("ranges", "last_start"), OffsetDateTime.class))))
				.as("latest");
			this.db.select(slot, sum(field(name("latest", "revision"), Long.class)).cast(Long.class))
				.from(ranges)
				.crossJoin(latest)
				.groupBy(slot)
				.forEach((row) -> bySlot.put(row.value1(), row.value2()));
		}
		Map<BucketLevel, Long> levels = new EnumMap<>(BucketLevel.class);
		for (BucketLevel level : BucketLevel.values()) {
			levels.put(level, revisionOrZero(bySlot.get(level.ordinal())));
		}
		Map<Instant, Long> edges = new HashMap<>();
		for (int i = 0; i < edgeBuckets.size(); i++) {
			edges.put(edgeBuckets.get(i), revisionOrZero(bySlot.get(BucketLevel.values().length + i)));
		}
		return new Revisions(Collections.unmodifiableMap(levels), Map.copyOf(edges));
	}

	/**
	 * The revision of each bucket of one level in the spans, by bucket start; a bucket
	 * never written has none.
	 */
	Map<Instant, Long> bucketRevisions(UUID orgId, BucketLevel level, List<BucketSpan> spans) {
		return this.watch.read(new BucketRevisionsRead(orgId, level, List.copyOf(spans)),
				() -> readBucketRevisions(orgId, level, spans));
	}

	private Map<Instant, Long> readBucketRevisions(UUID orgId, BucketLevel level, List<BucketSpan> spans) {
		Condition within = falseCondition();
		for (BucketSpan span : spans) {
			within = within.or(ROLLUP_REVISIONS.BUCKET_START.between(span.start().atOffset(ZoneOffset.UTC),
					span.lastStart().atOffset(ZoneOffset.UTC)));
		}
		Map<Instant, Long> revisions = new HashMap<>();
		this.db.select(ROLLUP_REVISIONS.BUCKET_START, sum(ROLLUP_REVISIONS.REVISION).cast(Long.class))
			.from(ROLLUP_REVISIONS)
			.where(ROLLUP_REVISIONS.ORG_ID.eq(orgId))
			.and(ROLLUP_REVISIONS.BUCKET_SECONDS.eq(level.seconds()))
			.and(within)
			.groupBy(ROLLUP_REVISIONS.BUCKET_START)
			.forEach((row) -> revisions.put(row.value1().toInstant(), row.value2()));
		return Map.copyOf(revisions);
	}

	private static long revisionOrZero(Long revision) {
		return (revision != null) ? revision : 0L;
	}

	/** The workflow rollup rows of whole buckets, summed per key. */
	<K> Map<K, WorkflowTotals> workflowBuckets(UUID orgId, String workflow, List<BucketSpan> buckets,
			BiFunction<String, Instant, K> key) {
		Map<K, WorkflowTotals> result = new HashMap<>();
		forEachWorkflowRow(orgId, workflow, buckets, (row) -> add(result,
				key.apply(row.getWorkflowName(), row.getBucketStart().toInstant()), WorkflowTotals.of(row)));
		result.values().forEach(WorkflowTotals::compact);
		return result;
	}

	/**
	 * {@link #workflowBuckets} per bucket, by its start; a bucket with no runs is
	 * missing.
	 */
	<K> Map<Instant, Map<K, WorkflowTotals>> workflowBucketsEach(UUID orgId, String workflow, List<BucketSpan> buckets,
			BiFunction<String, Instant, K> key) {
		Map<Instant, Map<K, WorkflowTotals>> result = new HashMap<>();
		forEachWorkflowRow(orgId, workflow, buckets, (row) -> {
			Instant start = row.getBucketStart().toInstant();
			add(result.computeIfAbsent(start, (ignored) -> new HashMap<>()), key.apply(row.getWorkflowName(), start),
					WorkflowTotals.of(row));
		});
		// Cached per bucket: only the bins with values are kept (shards merged are
		// dense).
		result.values().forEach((workflows) -> workflows.values().forEach(WorkflowTotals::compact));
		return result;
	}

	private void forEachWorkflowRow(UUID orgId, String workflow, List<BucketSpan> buckets,
			Consumer<WorkflowRollupsRecord> action) {
		this.db.selectFrom(WORKFLOW_ROLLUPS)
			.where(WORKFLOW_ROLLUPS.ORG_ID.eq(orgId))
			.and((workflow != null) ? WORKFLOW_ROLLUPS.WORKFLOW_NAME.eq(workflow) : noCondition())
			.and(bucketRanges(buckets, WORKFLOW_ROLLUPS.BUCKET_SECONDS, WORKFLOW_ROLLUPS.BUCKET_START))
			.forEach((row) -> {
				if (row.getRunCount() != 0) {
					action.accept(row);
				}
			});
	}

	private static <K> void add(Map<K, WorkflowTotals> sums, K key, WorkflowTotals more) {
		sums.merge(key, more, (sum, added) -> {
			sum.merge(added);
			return sum;
		});
	}

	/** The org's (or one workflow's) runs started in the intervals. */
	List<BucketRuns.Run> startedRuns(UUID orgId, String workflow, List<Interval> intervals) {
		return this.db
			.select(RUNS.WORKFLOW_NAME, RUNS.STATUS, RUNS.COST_USD, RUNS.DURATION_MS, RUNS.INPUT_TOKENS,
					RUNS.OUTPUT_TOKENS, RUNS.LLM_CALL_COUNT, RUNS.TOOL_USE_COUNT, RUNS.STARTED_AT)
			.from(RUNS)
			.where(RUNS.ORG_ID.eq(orgId))
			.and((workflow != null) ? RUNS.WORKFLOW_NAME.eq(workflow) : noCondition())
			.and(startedWithin(intervals))
			.and(partitionsOf(this.db, orgId, intervals, RUNS.EXPIRES_ON))
			.fetch((row) -> new BucketRuns.Run(row.value1(), RunStatus.of(row.value2()), row.value3(), row.value4(),
					row.value5(), row.value6(), row.value7(), row.value8(), row.value9().toInstant()));
	}

	/**
	 * Whether the org keeps a started run of this workflow or a rollup of one: its hour
	 * and day rollups outlive its runs (docs/retention.md), and a run written by hand has
	 * no rollup.
	 */
	boolean workflowExists(UUID orgId, String workflow) {
		return this.db.fetchExists(WORKFLOW_ROLLUPS,
				WORKFLOW_ROLLUPS.ORG_ID.eq(orgId)
					.and(WORKFLOW_ROLLUPS.WORKFLOW_NAME.eq(workflow))
					.and(WORKFLOW_ROLLUPS.RUN_COUNT.gt(0L)))
				|| this.db.fetchExists(RUNS,
						RUNS.ORG_ID.eq(orgId).and(RUNS.WORKFLOW_NAME.eq(workflow)).and(RUNS.STARTED_AT.isNotNull()));
	}

	/** Spans as a few range conditions: spans of one width with no gap join into one. */
	static Condition bucketRanges(List<BucketSpan> buckets, Field<Integer> seconds, Field<OffsetDateTime> start) {
		return or(WindowCover.joined(buckets)
			.stream()
			.map((span) -> seconds.eq(span.level().seconds())
				.and(start.between(span.start().atOffset(ZoneOffset.UTC), span.lastStart().atOffset(ZoneOffset.UTC))))
			.toList());
	}

	/**
	 * The partitions of {@code expiresOn}'s table that can hold the org's runs (or their
	 * calls or tool uses) started in the intervals.
	 */
	@SafeVarargs
	static Condition partitionsOf(DSLContext db, UUID orgId, List<Interval> intervals, Field<LocalDate>... expiresOn) {
		if (intervals.isEmpty()) {
			return noCondition();
		}
		return RunPartitions.startedWithin(db, orgId, intervals, expiresOn);
	}

	/** Runs whose start falls in one of the half-open intervals. */
	static Condition startedWithin(List<Interval> intervals) {
		List<Interval> sorted = new ArrayList<>(intervals);
		sorted.sort(Comparator.comparing(Interval::from));
		List<Interval> merged = new ArrayList<>();
		for (Interval interval : sorted) {
			Interval previous = merged.isEmpty() ? null : merged.get(merged.size() - 1);
			if (previous != null && !previous.until().isBefore(interval.from())) {
				Instant until = previous.until().isAfter(interval.until()) ? previous.until() : interval.until();
				merged.set(merged.size() - 1, new Interval(previous.from(), until));
			}
			else {
				merged.add(interval);
			}
		}
		List<Condition> conditions = new ArrayList<>();
		for (Interval interval : merged) {
			conditions.add(RUNS.STARTED_AT.ge(interval.from().atOffset(ZoneOffset.UTC))
				.and(RUNS.STARTED_AT.lt(interval.until().atOffset(ZoneOffset.UTC))));
		}
		return or(conditions);
	}

}
