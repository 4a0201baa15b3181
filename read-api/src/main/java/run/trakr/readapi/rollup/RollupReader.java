package run.trakr.readapi.rollup;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import run.trakr.readapi.query.TimeWindow;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.WindowCover;
import run.trakr.schema.rollup.WindowCover.BucketSpan;
import run.trakr.schema.rollup.WindowCover.Interval;
import run.trakr.schema.RunStatus;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.rollup.ToolTotals;
import run.trakr.schema.rollup.WorkflowTotals;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.or;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;
import static run.trakr.schema.jooq.Tables.ROLLUP_REVISIONS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * Answers aggregates over any window exactly: the whole rollup buckets inside it (summed
 * over shards), plus the run rows of the unaligned edges, never the runs of the whole
 * window.
 */
@Component
public class RollupReader {

	/** The smallest rollup width: series of finer buckets come from run rows alone. */
	private static final int BUCKET_ALIGNMENT = 300;

	/**
	 * Up to this many 5-minute buckets of edge runs come from the cache per request (a
	 * window has two edges); more (a series of minutes) are read from the run rows.
	 */
	private static final int CACHED_EDGE_BUCKETS = 4;

	private final DSLContext db;

	private final RollupCache cache;

	RollupReader(DSLContext db, @Value("${trakr.rollup-cache.max-weight:4000000}") long cacheMaxWeight) {
		this.db = db;
		this.cache = new RollupCache(cacheMaxWeight);
	}

	/**
	 * One aggregate per workflow with runs in the window; all workflows when
	 * {@code workflow} is null.
	 */
	public Map<String, WorkflowTotals> byWorkflow(UUID orgId, String workflow, TimeWindow window) {
		Map<String, WorkflowTotals> result = new TreeMap<>();
		fold("by-workflow", orgId, workflow, List.of(WindowCover.of(window.from(), window.to())), (name, start) -> name,
				true, result);
		return result;
	}

	/**
	 * {@code derive} applied to {@link #byWorkflow all workflows' aggregates}, cached for
	 * as long as the window holds the same runs: the same whole buckets at the same
	 * revisions and, at each edge, the same span of the same bucket's runs. A default
	 * window moves with the clock at every request but its content changes only when a
	 * run crosses an edge, so most requests of a refreshing dashboard reuse the value
	 * instead of copying and summarising every workflow's histograms again.
	 */
	public <V> V byWorkflowDerived(String kind, UUID orgId, TimeWindow window,
			Function<Map<String, WorkflowTotals>, V> derive, ToIntFunction<V> weigher) {
		WindowCover cover = WindowCover.of(window.from(), window.to());
		Map<Instant, List<Interval>> edgesByBucket = byFiveMinuteBucket(cover.edges());
		if (cover.buckets().isEmpty() || edgesByBucket.size() > CACHED_EDGE_BUCKETS) {
			return derive.apply(byWorkflow(orgId, null, window));
		}
		Revisions revisions = revisions(orgId, cover.buckets(), List.copyOf(edgesByBucket.keySet()));
		List<Long> content = new ArrayList<>();
		edgesByBucket.forEach((start, intervals) -> {
			BucketRuns runs = edgeRuns(orgId, start, revisions);
			content.add(revisions.edgeBuckets().get(start));
			intervals.forEach((interval) -> content.add(runs.span(interval.from(), interval.until())));
		});
		// One value per window's buckets, replaced when the edges hold other
		// runs: a moving window would otherwise leave one behind at every step.
		Derived<V> derived = this.cache.get(new RollupCache.Key(kind, orgId, null, cover.buckets()),
				Collections.max(revisions.levels().values()), (cached) -> cached.content().equals(content), () -> {
					Map<String, WorkflowTotals> aggregates = new TreeMap<>();
					fold("by-workflow", orgId, null, cover.buckets(), cover.edges(), edgesByBucket, revisions,
							(name, start) -> name, true, aggregates);
					return new Derived<>(content, derive.apply(aggregates));
				}, (cached) -> cached.content().size() + weigher.applyAsInt(cached.value()));
		return derived.value();
	}

	/** A value derived from a window's aggregates, and which edge runs it holds. */
	private record Derived<V>(List<Long> content, V value) {
	}

	/** The aggregate of the org's (or one workflow's) runs in the window. */
	public WorkflowTotals total(UUID orgId, String workflow, TimeWindow window) {
		WorkflowTotals total = new WorkflowTotals();
		byWorkflow(orgId, workflow, window).values().forEach(total::merge);
		return total;
	}

	/**
	 * One aggregate per UTC-aligned bucket of {@code widthSeconds} overlapping the window
	 * (keyed by bucket start), counting only runs inside the window. Buckets finer than
	 * the rollups come from run rows.
	 */
	public TreeMap<Instant, WorkflowTotals> series(UUID orgId, String workflow, TimeWindow window, int widthSeconds) {
		TreeMap<Instant, WorkflowTotals> result = new TreeMap<>();
		Function<Instant, Instant> bucketOf = (instant) -> Instant
			.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), widthSeconds) * widthSeconds);
		List<WindowCover> covers = new ArrayList<>();
		for (Instant start = bucketOf.apply(window.from()); !start.isAfter(window.to()); start = start
			.plusSeconds(widthSeconds)) {
			result.put(start, new WorkflowTotals());
			Instant pieceFrom = start.isBefore(window.from()) ? window.from() : start;
			Instant pieceTo = start.plusSeconds(widthSeconds).minus(1, ChronoUnit.MICROS);
			if (pieceTo.isAfter(window.to())) {
				pieceTo = window.to();
			}
			covers.add((widthSeconds % BUCKET_ALIGNMENT == 0) ? WindowCover.of(pieceFrom, pieceTo)
					: new WindowCover(List.of(), List.of(new Interval(pieceFrom, pieceTo.plus(1, ChronoUnit.MICROS)))));
		}
		fold("series-" + widthSeconds, orgId, workflow, covers, (name, start) -> bucketOf.apply(start), false, result);
		return result;
	}

	/** One aggregate per tool the workflow's runs used in the window. */
	public Map<String, ToolTotals> tools(UUID orgId, String workflow, TimeWindow window) {
		WindowCover cover = WindowCover.of(window.from(), window.to());
		Map<String, ToolTotals> result = new TreeMap<>();
		if (!cover.buckets().isEmpty()) {
			for (Map<String, ToolTotals> whole : wholeBuckets("tools", orgId, workflow, cover.buckets(),
					revisions(orgId, cover.buckets(), List.of()).levels(),
					(levelBuckets) -> toolBuckets(orgId, workflow, levelBuckets),
					(tools) -> tools.values().stream().mapToInt(ToolTotals::weight).sum())) {
				whole.forEach((name, tool) -> result.computeIfAbsent(name, (n) -> new ToolTotals()).merge(tool));
			}
		}
		if (!cover.edges().isEmpty()) {
			Map<String, Set<UUID>> runsByTool = new HashMap<>();
			this.db.select(TOOL_USES.TOOL_NAME, TOOL_USES.STATUS, TOOL_USES.DURATION_MS, TOOL_USES.RUN_ID)
				.from(RUNS)
				.join(TOOL_USES)
				.on(TOOL_USES.ORG_ID.eq(RUNS.ORG_ID).and(TOOL_USES.RUN_ID.eq(RUNS.RUN_ID)))
				.where(RUNS.ORG_ID.eq(orgId))
				.and(RUNS.WORKFLOW_NAME.eq(workflow))
				.and(startedWithin(cover.edges()))
				.forEach((row) -> {
					ToolTotals tool = result.computeIfAbsent(row.value1(), (name) -> new ToolTotals());
					tool.addUse(CallStatus.ERROR.name().equalsIgnoreCase(row.value2()), row.value3(), 1);
					if (runsByTool.computeIfAbsent(row.value1(), (name) -> new HashSet<>()).add(row.value4())) {
						tool.countRun();
					}
				});
		}
		result.values().removeIf((tool) -> tool.useCount() == 0);
		return result;
	}

	private Map<String, ToolTotals> toolBuckets(UUID orgId, String workflow, List<BucketSpan> buckets) {
		Map<String, ToolTotals> result = new HashMap<>();
		this.db.selectFrom(TOOL_ROLLUPS)
			.where(TOOL_ROLLUPS.ORG_ID.eq(orgId))
			.and(TOOL_ROLLUPS.WORKFLOW_NAME.eq(workflow))
			.and(bucketRanges(buckets, TOOL_ROLLUPS.BUCKET_SECONDS, TOOL_ROLLUPS.BUCKET_START))
			.forEach((row) -> result.computeIfAbsent(row.getToolName(), (name) -> new ToolTotals())
				.merge(ToolTotals.of(row)));
		return result;
	}

	/**
	 * What was computed from the whole buckets, one value per bucket level, each cached
	 * on its own: a moving "now" changes a window's 5-minute buckets every 5 minutes but
	 * its days only once a day, so only the small part is computed again (computing all
	 * 30 days at every 5-minute boundary stalled default-window requests for ~0.5 s).
	 */
	private <V> List<V> wholeBuckets(String kind, UUID orgId, String workflow, List<BucketSpan> buckets,
			Map<BucketLevel, Long> revisions, Function<List<BucketSpan>, V> compute, ToIntFunction<V> weigher) {
		Map<BucketLevel, List<BucketSpan>> byLevel = new EnumMap<>(BucketLevel.class);
		WindowCover.joined(buckets)
			.forEach((span) -> byLevel.computeIfAbsent(span.level(), (level) -> new ArrayList<>()).add(span));
		List<V> values = new ArrayList<>();
		byLevel.forEach((level, levelBuckets) -> values
			.add(this.cache.get(new RollupCache.Key(kind, orgId, workflow, levelBuckets), revisions.get(level),
					() -> compute.apply(levelBuckets), weigher)));
		return values;
	}

	/**
	 * What the cache checks its values against, in one statement: the largest revision
	 * among the org's whole buckets of each level (0 when none has one), and the revision
	 * of each 5-minute bucket whose runs make up an edge.
	 */
	private Revisions revisions(UUID orgId, List<BucketSpan> buckets, List<Instant> edgeBuckets) {
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
			Table<?> latest = lateral(select(max(ROLLUP_REVISIONS.REVISION).as("revision")).from(ROLLUP_REVISIONS)
				.where(ROLLUP_REVISIONS.ORG_ID.eq(orgId))
				.and(ROLLUP_REVISIONS.BUCKET_SECONDS.eq(field(name("ranges", "width"), Integer.class)))
				.and(ROLLUP_REVISIONS.BUCKET_START.between(field(name("ranges", "first_start"), OffsetDateTime.class),
						field(name("ranges", "last_start"), OffsetDateTime.class))))
				.as("latest");
			this.db.select(slot, max(field(name("latest", "revision"), Long.class)))
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
		return new Revisions(levels, edges);
	}

	private record Revisions(Map<BucketLevel, Long> levels, Map<Instant, Long> edgeBuckets) {
	}

	private static long revisionOrZero(Long revision) {
		return (revision != null) ? revision : 0L;
	}

	/** Whether the org ever had a started run of this workflow. */
	public boolean workflowExists(UUID orgId, String workflow) {
		return this.db.fetchExists(RUNS,
				RUNS.ORG_ID.eq(orgId).and(RUNS.WORKFLOW_NAME.eq(workflow)).and(RUNS.STARTED_AT.isNotNull()));
	}

	/**
	 * Adds the rollup rows and edge runs of every cover into {@code result}, each under
	 * the key of its workflow and bucket (or run) start.
	 */
	private <K> void fold(String kind, UUID orgId, String workflow, List<WindowCover> covers,
			BiFunction<String, Instant, K> key, boolean mergedLevelsCached, Map<K, WorkflowTotals> result) {
		List<BucketSpan> spans = new ArrayList<>();
		List<Interval> edges = new ArrayList<>();
		for (WindowCover cover : covers) {
			spans.addAll(cover.buckets());
			edges.addAll(cover.edges());
		}
		List<BucketSpan> buckets = WindowCover.joined(spans);
		Map<Instant, List<Interval>> edgesByBucket = byFiveMinuteBucket(edges);
		boolean cachedEdges = edgesByBucket.size() <= CACHED_EDGE_BUCKETS;
		if (buckets.isEmpty() && (edges.isEmpty() || !cachedEdges)) {
			foldEdgeRows(orgId, workflow, edges, key, result);
			return;
		}
		Revisions revisions = revisions(orgId, buckets, cachedEdges ? List.copyOf(edgesByBucket.keySet()) : List.of());
		fold(kind, orgId, workflow, buckets, edges, cachedEdges ? edgesByBucket : null, revisions, key,
				mergedLevelsCached, result);
	}

	/**
	 * {@link #fold(String, UUID, String, List, BiFunction, boolean, Map)} once the
	 * revisions are known; {@code edgesByBucket} is null when the edges are read from the
	 * run rows.
	 */
	private <K> void fold(String kind, UUID orgId, String workflow, List<BucketSpan> buckets, List<Interval> edges,
			Map<Instant, List<Interval>> edgesByBucket, Revisions revisions, BiFunction<String, Instant, K> key,
			boolean mergedLevelsCached, Map<K, WorkflowTotals> result) {
		if (!buckets.isEmpty()) {
			ToIntFunction<Map<K, WorkflowTotals>> weigher = (
					aggregates) -> aggregates.values().stream().mapToInt(WorkflowTotals::weight).sum();
			Supplier<List<Map<K, WorkflowTotals>>> levels = () -> wholeBuckets(kind, orgId, workflow, buckets,
					revisions.levels(), (levelBuckets) -> foldBuckets(orgId, workflow, levelBuckets, key), weigher);
			if (mergedLevelsCached) {
				// The levels merged are cached too (valid while no level's revision
				// moves): merging three levels' histograms for every request was most of
				// its time. Series have hundreds of keys, which would double the memory
				// held, so they merge per request.
				long latest = Collections.max(revisions.levels().values());
				Map<K, WorkflowTotals> whole = this.cache.get(
						new RollupCache.Key(kind + " (levels merged)", orgId, workflow, buckets), latest,
						() -> merged(levels.get()), weigher);
				whole.forEach((k, aggregate) -> result.merge(k, aggregate.copy(), (existing, copy) -> {
					copy.merge(existing);
					return copy;
				}));
			}
			else {
				for (Map<K, WorkflowTotals> level : levels.get()) {
					level.forEach((k, aggregate) -> result.computeIfAbsent(k, (ignored) -> new WorkflowTotals())
						.merge(aggregate));
				}
			}
		}
		if (edgesByBucket == null) {
			foldEdgeRows(orgId, workflow, edges, key, result);
			return;
		}
		edgesByBucket.forEach((start, intervals) -> {
			BucketRuns runs = edgeRuns(orgId, start, revisions);
			for (Interval interval : intervals) {
				runs.forEachIn(interval.from(), interval.until(), workflow, (run) -> addEdgeRun(run, key, result));
			}
		});
	}

	private static <K> Map<K, WorkflowTotals> merged(List<Map<K, WorkflowTotals>> levels) {
		Map<K, WorkflowTotals> merged = new HashMap<>();
		for (Map<K, WorkflowTotals> level : levels) {
			level.forEach(
					(k, aggregate) -> merged.computeIfAbsent(k, (ignored) -> new WorkflowTotals()).merge(aggregate));
		}
		return merged;
	}

	/**
	 * The edges cut at 5-minute boundaries, by the start of the bucket each piece is in.
	 */
	private static Map<Instant, List<Interval>> byFiveMinuteBucket(List<Interval> edges) {
		Map<Instant, List<Interval>> pieces = new TreeMap<>();
		for (Interval edge : edges) {
			Instant start = BucketLevel.FIVE_MINUTES.startOf(edge.from());
			while (start.isBefore(edge.until())) {
				Instant end = start.plus(BucketLevel.FIVE_MINUTES.width());
				Interval piece = new Interval(edge.from().isAfter(start) ? edge.from() : start,
						edge.until().isBefore(end) ? edge.until() : end);
				if (!piece.isEmpty()) {
					pieces.computeIfAbsent(start, (ignored) -> new ArrayList<>()).add(piece);
				}
				start = end;
			}
		}
		return pieces;
	}

	/** The cached runs of one 5-minute edge bucket, at its revision. */
	private BucketRuns edgeRuns(UUID orgId, Instant start, Revisions revisions) {
		return this.cache.get(
				new RollupCache.Key("runs", orgId, null, List.of(BucketSpan.of(BucketLevel.FIVE_MINUTES, start))),
				revisions.edgeBuckets().get(start), () -> bucketRuns(orgId, start), BucketRuns::weight);
	}

	/** Every started run of one 5-minute bucket. */
	private BucketRuns bucketRuns(UUID orgId, Instant start) {
		return new BucketRuns(
				startedRuns(orgId, null, List.of(new Interval(start, start.plus(BucketLevel.FIVE_MINUTES.width())))));
	}

	/**
	 * The edges' runs read straight from the run rows (series finer than the rollups).
	 */
	private <K> void foldEdgeRows(UUID orgId, String workflow, List<Interval> edges, BiFunction<String, Instant, K> key,
			Map<K, WorkflowTotals> result) {
		if (!edges.isEmpty()) {
			startedRuns(orgId, workflow, edges).forEach((run) -> addEdgeRun(run, key, result));
		}
	}

	/** The org's (or one workflow's) runs started in the intervals. */
	private List<BucketRuns.Run> startedRuns(UUID orgId, String workflow, List<Interval> intervals) {
		return this.db
			.select(RUNS.WORKFLOW_NAME, RUNS.STATUS, RUNS.COST_USD, RUNS.DURATION_MS, RUNS.INPUT_TOKENS,
					RUNS.OUTPUT_TOKENS, RUNS.LLM_CALL_COUNT, RUNS.TOOL_USE_COUNT, RUNS.STARTED_AT)
			.from(RUNS)
			.where(RUNS.ORG_ID.eq(orgId))
			.and((workflow != null) ? RUNS.WORKFLOW_NAME.eq(workflow) : noCondition())
			.and(startedWithin(intervals))
			.fetch((row) -> new BucketRuns.Run(row.value1(), RunStatus.of(row.value2()), row.value3(), row.value4(),
					row.value5(), row.value6(), row.value7(), row.value8(), row.value9().toInstant()));
	}

	private static <K> void addEdgeRun(BucketRuns.Run run, BiFunction<String, Instant, K> key,
			Map<K, WorkflowTotals> result) {
		run.addTo(
				result.computeIfAbsent(key.apply(run.workflow(), run.startedAt()), (ignored) -> new WorkflowTotals()));
	}

	/** The rollup rows of whole buckets, summed per key. */
	private <K> Map<K, WorkflowTotals> foldBuckets(UUID orgId, String workflow, List<BucketSpan> buckets,
			BiFunction<String, Instant, K> key) {
		Map<K, WorkflowTotals> result = new HashMap<>();
		Condition workflowCondition = (workflow != null) ? WORKFLOW_ROLLUPS.WORKFLOW_NAME.eq(workflow) : noCondition();
		this.db
			.select(WORKFLOW_ROLLUPS.WORKFLOW_NAME, WORKFLOW_ROLLUPS.BUCKET_START, WORKFLOW_ROLLUPS.RUN_COUNT,
					WORKFLOW_ROLLUPS.RUNNING_COUNT, WORKFLOW_ROLLUPS.SUCCESS_COUNT, WORKFLOW_ROLLUPS.ERROR_COUNT,
					WORKFLOW_ROLLUPS.LOOP_DETECTED_COUNT, WORKFLOW_ROLLUPS.TIMEOUT_COUNT, WORKFLOW_ROLLUPS.COST_TOTAL,
					WORKFLOW_ROLLUPS.DURATION_TOTAL_MS, WORKFLOW_ROLLUPS.INPUT_TOKENS, WORKFLOW_ROLLUPS.OUTPUT_TOKENS,
					WORKFLOW_ROLLUPS.LLM_CALL_COUNT, WORKFLOW_ROLLUPS.TOOL_USE_COUNT, WORKFLOW_ROLLUPS.LAST_STARTED_AT,
					WORKFLOW_ROLLUPS.COST_ZERO, WORKFLOW_ROLLUPS.COST_BINS, WORKFLOW_ROLLUPS.COST_COUNTS,
					WORKFLOW_ROLLUPS.DURATION_ZERO, WORKFLOW_ROLLUPS.DURATION_BINS, WORKFLOW_ROLLUPS.DURATION_COUNTS)
			.from(WORKFLOW_ROLLUPS)
			.where(WORKFLOW_ROLLUPS.ORG_ID.eq(orgId))
			.and(workflowCondition)
			.and(bucketRanges(buckets, WORKFLOW_ROLLUPS.BUCKET_SECONDS, WORKFLOW_ROLLUPS.BUCKET_START))
			.forEach((row) -> {
				if (row.get(WORKFLOW_ROLLUPS.RUN_COUNT) == 0) {
					return;
				}
				K k = key.apply(row.get(WORKFLOW_ROLLUPS.WORKFLOW_NAME),
						row.get(WORKFLOW_ROLLUPS.BUCKET_START).toInstant());
				result.merge(k, WorkflowTotals.of(row), (sum, more) -> {
					sum.merge(more);
					return sum;
				});
			});
		return result;
	}

	/** Spans as a few range conditions: spans of one width with no gap join into one. */
	static Condition bucketRanges(List<BucketSpan> buckets, Field<Integer> seconds, Field<OffsetDateTime> start) {
		return or(WindowCover.joined(buckets)
			.stream()
			.map((span) -> seconds.eq(span.level().seconds())
				.and(start.between(span.start().atOffset(ZoneOffset.UTC), span.lastStart().atOffset(ZoneOffset.UTC))))
			.toList());
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
