package run.trakr.readapi.rollup;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.jooq.DSLContext;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import run.trakr.readapi.query.TimeWindow;
import run.trakr.readapi.rollup.RollupCache.Kind;
import run.trakr.readapi.rollup.RollupSql.Revisions;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.ToolTotals;
import run.trakr.schema.rollup.WindowCover;
import run.trakr.schema.rollup.WindowCover.BucketSpan;
import run.trakr.schema.rollup.WindowCover.Interval;
import run.trakr.schema.rollup.WorkflowTotals;

/**
 * Answers aggregates over any window exactly: the whole rollup buckets inside it (summed
 * over shards), plus the run rows of the unaligned edges, never the runs of the whole
 * window. {@link WindowPlan} says what to read, {@link RollupSql} and
 * {@link ToolRollupSql} read it, and this class keeps what was computed in the
 * {@link RollupCache}, checked against the buckets' revisions on every request.
 */
@Component
public class RollupReader {

	private final RollupSql sql;

	private final ToolRollupSql toolSql;

	private final RollupCache cache;

	/**
	 * Workflows known to exist, for an hour: after that a workflow whose runs and rollups
	 * all expired is asked about again (and is then a 404).
	 */
	private final Cache<WorkflowName, Boolean> knownWorkflows = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterWrite(Duration.ofHours(1))
		.build();

	private final ReadAhead readAhead;

	RollupReader(DSLContext db, @Value("${trakr.rollup-cache.max-weight:-1}") long cacheMaxWeight, ReadAhead readAhead,
			RevisionWatch watch) {
		this.readAhead = readAhead;
		this.sql = new RollupSql(db, watch);
		this.toolSql = new ToolRollupSql(db);
		this.cache = new RollupCache((cacheMaxWeight >= 0) ? cacheMaxWeight : defaultMaxWeight());
	}

	/**
	 * A quarter of the heap, in 8-byte words. A dashboard of a 10 M-run org (30 days of
	 * its 50 workflows by day, ten workflows' hourly series, their tools) holds about 75
	 * MB: a cache smaller than what the dashboard reads evicts what its next refresh
	 * needs, and at each boundary its requests waited for a month of rollup rows again
	 * (0.2 to 1.4 s; BENCHMARKS.md, "The rollup cache's size").
	 */
	static long defaultMaxWeight() {
		return Runtime.getRuntime().maxMemory() / 4 / 8;
	}

	/**
	 * A level of up to this many buckets (two months of hours) is composed from one
	 * cached value per bucket; a larger one (rarer) is cached as one value.
	 */
	static final int BUCKETS_ONE_BY_ONE = 1488;

	/**
	 * What one read aggregates, and under which key each workflow's bucket (or run start)
	 * lands.
	 */
	private record Request<K>(Kind kind, String variant, UUID orgId, String workflow,
			BiFunction<String, Instant, K> key) {

		RollupCache.Key cacheKey(Kind kind, List<BucketSpan> buckets) {
			return new RollupCache.Key(kind, this.variant, this.orgId, this.workflow, buckets);
		}

	}

	/**
	 * One aggregate per workflow with runs in the window; all workflows when
	 * {@code workflow} is null.
	 */
	public Map<String, WorkflowTotals> byWorkflow(UUID orgId, String workflow, TimeWindow window) {
		this.readAhead.remember(Arrays.asList(Kind.WORKFLOWS, orgId, workflow), window,
				(later) -> byWorkflow(orgId, workflow, later));
		Map<String, WorkflowTotals> result = new TreeMap<>();
		fold(new Request<>(Kind.WORKFLOWS, null, orgId, workflow, (name, start) -> name), WindowPlan.of(window),
				result);
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
	public <V> V byWorkflowDerived(String name, UUID orgId, TimeWindow window,
			Function<Map<String, WorkflowTotals>, V> derive, ToIntFunction<V> weigher) {
		return byWorkflowDerived(name, revisions(orgId, window), derive, weigher);
	}

	/**
	 * {@link #byWorkflowDerived(String, UUID, TimeWindow, Function, ToIntFunction)} at
	 * revisions already read (for the request's version): one statement fewer.
	 */
	public <V> V byWorkflowDerived(String name, WindowRevisions read, Function<Map<String, WorkflowTotals>, V> derive,
			ToIntFunction<V> weigher) {
		UUID orgId = read.orgId;
		if (read.plan.buckets().isEmpty() || !read.plan.edgesCached()) {
			return derive.apply(byWorkflow(orgId, null, read.window));
		}
		this.readAhead.remember(Arrays.asList(Kind.WORKFLOWS, orgId, null), read.window,
				(later) -> byWorkflow(orgId, null, later));
		WindowPlan plan = read.plan;
		Revisions revisions = read.revisions;
		List<Long> content = new ArrayList<>();
		plan.edgesByBucket().forEach((start, intervals) -> {
			BucketRuns runs = edgeRuns(orgId, start, revisions);
			content.add(revisions.edgeBuckets().get(start));
			intervals.forEach((interval) -> content.add(runs.span(interval.from(), interval.until())));
		});
		// One value per window's buckets, replaced when the edges hold other
		// runs: a moving window would otherwise leave one behind at every step.
		Request<String> request = new Request<>(Kind.WORKFLOWS, null, orgId, null, (workflow, start) -> workflow);
		Derived<V> derived = this.cache.get(new RollupCache.Key(Kind.DERIVED, name, orgId, null, plan.buckets()),
				revisions.wholeBuckets(), (cached) -> cached.content().equals(content), () -> {
					Map<String, WorkflowTotals> aggregates = new TreeMap<>();
					fold(request, plan, revisions, aggregates);
					return new Derived<>(content, derive.apply(aggregates));
				}, (cached) -> cached.content().size() + weigher.applyAsInt(cached.value()));
		return derived.value();
	}

	/** A series: a point per bucket, in order, and the aggregate of all its buckets. */
	public record Series<P>(List<P> points, WorkflowTotals total) {
	}

	/**
	 * One point per UTC-aligned bucket of {@code widthSeconds} overlapping the window (in
	 * order, zero-filled), each from the aggregate of the bucket's runs inside the
	 * window; buckets finer than the rollups come from run rows. What the whole buckets
	 * give (every point but those an edge adds to, and their total) is cached per window
	 * content, so a dashboard's hourly series over 30 days is not merged and formatted
	 * again at every refresh: only the points an edge falls in are.
	 */
	public <P> Series<P> series(String name, UUID orgId, String workflow, TimeWindow window, int widthSeconds,
			BiFunction<Instant, WorkflowTotals, P> point, ToIntFunction<P> pointWeight) {
		this.readAhead.remember(List.of(Kind.SERIES, name, widthSeconds, orgId, workflow), window,
				(later) -> series(name, orgId, workflow, later, widthSeconds, point, pointWeight));
		TreeMap<Instant, WindowCover> covers = WindowPlan.series(window, widthSeconds);
		return series(name, new Request<>(Kind.SERIES, String.valueOf(widthSeconds), orgId, workflow,
				(n, start) -> WindowPlan.seriesBucket(start, widthSeconds)), covers, point, pointWeight);
	}

	/**
	 * As the UTC series, of the zone's own minutes, hours or days, by the instant each
	 * starts: composed from the UTC rollups (5-minute buckets where a zone's hour is not
	 * a UTC hour), only what no whole bucket covers from run rows.
	 */
	public <P> Series<P> series(String name, UUID orgId, String workflow, TimeWindow window, ChronoUnit unit,
			ZoneId zone, BiFunction<Instant, WorkflowTotals, P> point, ToIntFunction<P> pointWeight) {
		this.readAhead.remember(List.of(Kind.SERIES, name, unit, zone, orgId, workflow), window,
				(later) -> series(name, orgId, workflow, later, unit, zone, point, pointWeight));
		TreeMap<Instant, WindowCover> covers = WindowPlan.zoneSeries(window, unit, zone);
		return series(name, new Request<>(Kind.SERIES, unit + "@" + zone.getId(), orgId, workflow,
				(n, start) -> covers.floorKey(start)), covers, point, pointWeight);
	}

	/**
	 * What a series' whole buckets give: a point per bucket (starts in order), their
	 * total, and the aggregates of the buckets the window's edges fall in.
	 */
	private record WholeSeries<P>(List<Instant> starts, List<P> points, WorkflowTotals total,
			Map<Instant, WorkflowTotals> atEdges) {

		/** In the cache's unit (8 bytes). */
		int weight(ToIntFunction<P> pointWeight) {
			return this.starts.size() + this.points.stream().mapToInt(pointWeight).sum() + this.total.weight()
					+ this.atEdges.values().stream().mapToInt(WorkflowTotals::weight).sum();
		}

	}

	private <P> Series<P> series(String name, Request<Instant> request, TreeMap<Instant, WindowCover> covers,
			BiFunction<Instant, WorkflowTotals, P> point, ToIntFunction<P> pointWeight) {
		WindowPlan plan = WindowPlan.of(List.copyOf(covers.values()));
		Revisions revisions = (plan.buckets().isEmpty() && !plan.edgesCached()) ? null
				: this.sql.revisions(request.orgId(), plan.buckets(),
						plan.edgesCached() ? List.copyOf(plan.edgesByBucket().keySet()) : List.of());
		// Each edge lies inside one bucket of the series.
		Set<Instant> edgeKeys = new TreeSet<>();
		plan.edges().forEach((edge) -> edgeKeys.add(request.key().apply(null, edge.from())));
		Supplier<WholeSeries<P>> computeWhole = () -> {
			TreeMap<Instant, WorkflowTotals> whole = new TreeMap<>();
			covers.keySet().forEach((start) -> whole.put(start, new WorkflowTotals()));
			if (!plan.buckets().isEmpty()) {
				foldWhole(request, plan, revisions, whole);
			}
			List<P> points = new ArrayList<>(whole.size());
			WorkflowTotals total = new WorkflowTotals();
			Map<Instant, WorkflowTotals> atEdges = new HashMap<>();
			whole.forEach((start, aggregate) -> {
				total.merge(aggregate);
				points.add(point.apply(start, aggregate));
				if (edgeKeys.contains(start)) {
					atEdges.put(start, aggregate);
				}
			});
			atEdges.values().forEach(WorkflowTotals::compact);
			return new WholeSeries<>(List.copyOf(whole.keySet()), List.copyOf(points), total.compact(), atEdges);
		};
		// Two windows with the same whole buckets can differ in their first and last
		// bucket and in where their edges are.
		String variant = name + " " + request.variant() + " " + covers.firstKey() + ".." + covers.lastKey() + " "
				+ edgeKeys;
		WholeSeries<P> whole = (revisions == null) ? computeWhole.get()
				: this.cache.get(
						new RollupCache.Key(Kind.DERIVED, variant, request.orgId(), request.workflow(), plan.buckets()),
						revisions.wholeBuckets(), computeWhole, (cached) -> cached.weight(pointWeight));
		Map<Instant, WorkflowTotals> edges = new TreeMap<>();
		if (revisions == null || !plan.edgesCached()) {
			foldEdgeRows(request, plan.edges(), edges);
		}
		else {
			foldEdges(request, plan, revisions, edges);
		}
		if (edges.isEmpty()) {
			return new Series<>(whole.points(), whole.total());
		}
		List<P> points = new ArrayList<>(whole.points());
		WorkflowTotals total = whole.total().copy();
		edges.forEach((start, added) -> {
			WorkflowTotals bucket = whole.atEdges().get(start).copy();
			bucket.merge(added);
			points.set(Collections.binarySearch(whole.starts(), start), point.apply(start, bucket));
			total.merge(added);
		});
		return new Series<>(points, total);
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

	/** One aggregate per tool the workflow's runs used in the window. */
	public Map<String, ToolTotals> tools(UUID orgId, String workflow, TimeWindow window) {
		this.readAhead.remember(List.of(Kind.TOOLS, orgId, workflow), window, (later) -> tools(orgId, workflow, later));
		WindowPlan plan = WindowPlan.of(window);
		Map<String, ToolTotals> result = new TreeMap<>();
		if (!plan.buckets().isEmpty()) {
			Request<String> request = new Request<>(Kind.TOOLS, null, orgId, workflow, (name, start) -> name);
			BucketValues<Map<String, ToolTotals>> values = new BucketValues<>(
					(levelBuckets) -> this.toolSql.toolBuckets(orgId, workflow, levelBuckets),
					(levelBuckets) -> this.toolSql.toolBucketsEach(orgId, workflow, levelBuckets), HashMap::new,
					RollupReader::mergedTools, (tools) -> tools.values().stream().mapToInt(ToolTotals::weight).sum());
			for (Map<String, ToolTotals> whole : wholeBuckets(request, plan.buckets(),
					this.sql.revisions(orgId, plan.buckets(), List.of()), values)) {
				whole.forEach((name, tool) -> result.computeIfAbsent(name, (n) -> new ToolTotals()).merge(tool));
			}
		}
		if (!plan.edges().isEmpty()) {
			this.toolSql.addEdgeUses(orgId, workflow, plan.edges(), result);
		}
		result.values().removeIf((tool) -> tool.useCount() == 0);
		return result;
	}

	/**
	 * A number that grows whenever anything a read of the window could show changes: the
	 * sum of the revisions of its whole buckets and of the 5-minute buckets holding its
	 * edges (every change to a started run moves its buckets' revisions at every level).
	 * An answer computed at one version still stands while the window's version is
	 * unchanged; one statement, no rollup or run rows read.
	 */
	public long version(UUID orgId, TimeWindow window) {
		return revisions(orgId, window).version();
	}

	/**
	 * The revisions a read of the window depends on, in one statement: its
	 * {@link #version}, and what the workflow list checks its cached values against.
	 */
	public WindowRevisions revisions(UUID orgId, TimeWindow window) {
		WindowPlan plan = WindowPlan.of(window);
		return new WindowRevisions(orgId, window, plan,
				this.sql.revisions(orgId, plan.buckets(), List.copyOf(plan.edgesByBucket().keySet())));
	}

	/** The revisions of one org's window as read at one moment. */
	public static final class WindowRevisions {

		private final UUID orgId;

		private final TimeWindow window;

		private final WindowPlan plan;

		private final Revisions revisions;

		WindowRevisions(UUID orgId, TimeWindow window, WindowPlan plan, Revisions revisions) {
			this.orgId = orgId;
			this.window = window;
			this.plan = plan;
			this.revisions = revisions;
		}

		/** The sum of every revision read: grows with any change the window shows. */
		public long version() {
			return this.revisions.wholeBuckets()
					+ this.revisions.edgeBuckets().values().stream().mapToLong(Long::longValue).sum();
		}

	}

	/**
	 * Whether the org keeps a started run of this workflow, or its rollups. A yes is
	 * remembered: every stats and tools request asks, and the runs' question alone
	 * searched every partition.
	 */
	public boolean workflowExists(UUID orgId, String workflow) {
		WorkflowName key = new WorkflowName(orgId, workflow);
		if (this.knownWorkflows.getIfPresent(key) != null) {
			return true;
		}
		boolean exists = this.sql.workflowExists(orgId, workflow);
		if (exists) {
			this.knownWorkflows.put(key, Boolean.TRUE);
		}
		return exists;
	}

	private record WorkflowName(UUID orgId, String name) {
	}

	/**
	 * How one kind of value is read from whole buckets: all of them summed, or each
	 * bucket's own (by start; a bucket with no rows may be missing), and merged.
	 */
	private record BucketValues<V>(Function<List<BucketSpan>, V> read,
			Function<List<BucketSpan>, Map<Instant, V>> readEach, Supplier<V> empty, Function<List<V>, V> merge,
			ToIntFunction<V> weigher) {
	}

	/**
	 * What was computed from the whole buckets, one value per bucket level, each cached
	 * on its own: a moving "now" changes a window's 5-minute buckets every 5 minutes, its
	 * hours every hour, its days once a day, so only the small part is computed again
	 * (computing all 30 days at every 5-minute boundary stalled default-window requests
	 * for ~0.5 s). A level's value is composed from one cached value per bucket
	 * ({@link #byBucket}).
	 */
	private <V> List<V> wholeBuckets(Request<?> request, List<BucketSpan> buckets, Revisions revisions,
			BucketValues<V> values) {
		Map<BucketLevel, List<BucketSpan>> byLevel = new EnumMap<>(BucketLevel.class);
		buckets.forEach((span) -> byLevel.computeIfAbsent(span.level(), (level) -> new ArrayList<>()).add(span));
		List<V> result = new ArrayList<>();
		byLevel.forEach((level, levelBuckets) -> {
			// One bucket is its own bucket's value: splitting it would wait on itself.
			long count = levelBuckets.stream().mapToLong(BucketSpan::bucketCount).sum();
			Supplier<V> computeLevel = (count > 1 && count <= BUCKETS_ONE_BY_ONE)
					? () -> byBucket(request, level, levelBuckets, values) : () -> values.read().apply(levelBuckets);
			result.add(this.cache.get(request.cacheKey(request.kind(), levelBuckets), revisions.levels().get(level),
					computeLevel, values.weigher()));
		});
		return result;
	}

	/**
	 * A level from one cached value per bucket, each checked against its own revision;
	 * the buckets not held are read together in one statement. When a moving window gains
	 * a bucket (an hour every hour, a day and 23 hours at midnight), only those are read:
	 * reading the whole level again at each boundary stalled every default-window request
	 * for up to 1.5 s at 10 M runs. A bucket another request is reading is waited for.
	 */
	private <V> V byBucket(Request<?> request, BucketLevel level, List<BucketSpan> spans, BucketValues<V> values) {
		Map<Instant, Long> bucketRevisions = this.sql.bucketRevisions(request.orgId(), level, spans);
		Map<RollupCache.Key, Long> revisions = new LinkedHashMap<>();
		for (BucketSpan span : spans) {
			for (Instant start = span.start(); start.isBefore(span.end()); start = start.plus(level.width())) {
				RollupCache.Key key = request.cacheKey(request.kind(), List.of(BucketSpan.of(level, start)));
				revisions.put(key, bucketRevisions.getOrDefault(start, 0L));
			}
		}
		// Each key holds its one bucket.
		List<V> found = this.cache.getAll(revisions, (missing) -> {
			Map<Instant, V> read = values.readEach()
				.apply(WindowCover.joined(missing.stream().map((key) -> key.buckets().get(0)).toList()));
			Map<RollupCache.Key, V> byKey = new HashMap<>();
			missing.forEach((key) -> {
				V value = read.get(key.buckets().get(0).start());
				if (value != null) {
					byKey.put(key, value);
				}
			});
			return byKey;
		}, values.empty(), values.weigher());
		return values.merge().apply(found);
	}

	/**
	 * Adds the rollup rows and edge runs of the plan into {@code result}, each under the
	 * key of its workflow and bucket (or run) start.
	 */
	private <K> void fold(Request<K> request, WindowPlan plan, Map<K, WorkflowTotals> result) {
		if (plan.buckets().isEmpty() && (plan.edges().isEmpty() || !plan.edgesCached())) {
			foldEdgeRows(request, plan.edges(), result);
			return;
		}
		fold(request, plan, this.sql.revisions(request.orgId(), plan.buckets(),
				plan.edgesCached() ? List.copyOf(plan.edgesByBucket().keySet()) : List.of()), result);
	}

	/** {@link #fold(Request, WindowPlan, Map)} once the revisions are known. */
	private <K> void fold(Request<K> request, WindowPlan plan, Revisions revisions, Map<K, WorkflowTotals> result) {
		if (!plan.buckets().isEmpty()) {
			foldWhole(request, plan, revisions, result);
		}
		if (!plan.edgesCached()) {
			foldEdgeRows(request, plan.edges(), result);
		}
		else {
			foldEdges(request, plan, revisions, result);
		}
	}

	/** Adds the plan's whole buckets (there are some) into {@code result}. */
	private <K> void foldWhole(Request<K> request, WindowPlan plan, Revisions revisions,
			Map<K, WorkflowTotals> result) {
		ToIntFunction<Map<K, WorkflowTotals>> weigher = (
				aggregates) -> aggregates.values().stream().mapToInt(WorkflowTotals::weight).sum();
		BucketValues<Map<K, WorkflowTotals>> values = new BucketValues<>(
				(levelBuckets) -> this.sql.workflowBuckets(request.orgId(), request.workflow(), levelBuckets,
						request.key()),
				(levelBuckets) -> this.sql.workflowBucketsEach(request.orgId(), request.workflow(), levelBuckets,
						request.key()),
				HashMap::new, RollupReader::merged, weigher);
		Supplier<List<Map<K, WorkflowTotals>>> levels = () -> wholeBuckets(request, plan.buckets(), revisions, values);
		if (request.kind() == Kind.WORKFLOWS) {
			// The levels merged are cached too (valid while no level's revision
			// moves): merging three levels' histograms for every request was most of
			// its time. Series have hundreds of keys, which would double the memory
			// held; they merge into the whole part each series caches.
			Map<K, WorkflowTotals> whole = this.cache.get(request.cacheKey(Kind.WORKFLOWS_MERGED, plan.buckets()),
					revisions.wholeBuckets(), () -> merged(levels.get()), weigher);
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

	/**
	 * Adds the runs of the plan's edges into {@code result}, from cached edge buckets.
	 */
	private <K> void foldEdges(Request<K> request, WindowPlan plan, Revisions revisions,
			Map<K, WorkflowTotals> result) {
		plan.edgesByBucket().forEach((start, intervals) -> {
			BucketRuns runs = edgeRuns(request.orgId(), start, revisions);
			for (Interval interval : intervals) {
				runs.forEachIn(interval.from(), interval.until(), request.workflow(),
						(run) -> addEdgeRun(run, request.key(), result));
			}
		});
	}

	private static <K> Map<K, WorkflowTotals> merged(List<Map<K, WorkflowTotals>> levels) {
		Map<K, WorkflowTotals> merged = new HashMap<>();
		for (Map<K, WorkflowTotals> level : levels) {
			level.forEach(
					(k, aggregate) -> merged.computeIfAbsent(k, (ignored) -> new WorkflowTotals()).merge(aggregate));
		}
		// Kept in the cache: only the bins with values (a merged hour's histograms are
		// dense over ten times the bins they hold).
		merged.values().forEach(WorkflowTotals::compact);
		return merged;
	}

	private static Map<String, ToolTotals> mergedTools(List<Map<String, ToolTotals>> parts) {
		Map<String, ToolTotals> merged = new HashMap<>();
		for (Map<String, ToolTotals> part : parts) {
			part.forEach((tool, totals) -> merged.computeIfAbsent(tool, (ignored) -> new ToolTotals()).merge(totals));
		}
		merged.values().forEach(ToolTotals::compact);
		return merged;
	}

	/** The cached runs of one 5-minute edge bucket, at its revision. */
	private BucketRuns edgeRuns(UUID orgId, Instant start, Revisions revisions) {
		return this.cache.get(
				new RollupCache.Key(
						Kind.EDGE_RUNS, null, orgId, null, List.of(BucketSpan.of(BucketLevel.FIVE_MINUTES, start))),
				revisions.edgeBuckets().get(start),
				() -> new BucketRuns(this.sql.startedRuns(orgId, null,
						List.of(new Interval(start, start.plus(BucketLevel.FIVE_MINUTES.width()))))),
				BucketRuns::weight);
	}

	/**
	 * The edges' runs read straight from the run rows (series finer than the rollups).
	 */
	private <K> void foldEdgeRows(Request<K> request, List<Interval> edges, Map<K, WorkflowTotals> result) {
		if (!edges.isEmpty()) {
			this.sql.startedRuns(request.orgId(), request.workflow(), edges)
				.forEach((run) -> addEdgeRun(run, request.key(), result));
		}
	}

	private static <K> void addEdgeRun(BucketRuns.Run run, BiFunction<String, Instant, K> key,
			Map<K, WorkflowTotals> result) {
		run.addTo(
				result.computeIfAbsent(key.apply(run.workflow(), run.startedAt()), (ignored) -> new WorkflowTotals()));
	}

}
