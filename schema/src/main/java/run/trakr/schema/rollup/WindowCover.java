package run.trakr.schema.rollup;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How an arbitrary window is answered exactly: the largest whole buckets that fit inside
 * it, and the unaligned edges left over (less than five minutes at each end), which come
 * from run rows. Windows are inclusive at both ends, at PostgreSQL's microsecond
 * precision.
 * <p>
 * Whole buckets are held as spans of consecutive buckets of one level, never one object
 * per bucket: a cover has at most five spans whatever the window's length (a window from
 * year 1 to 9999 once made 3.65 million objects per request).
 *
 * @param buckets spans of whole buckets inside the window, each at the largest level that
 * fits, in start order
 * @param edges the parts of the window no bucket covers, as half-open intervals
 */
public record WindowCover(List<BucketSpan> buckets, List<Interval> edges) {

	/**
	 * {@code [start, end)}: consecutive buckets of one level, both ends aligned to it.
	 */
	public record BucketSpan(BucketLevel level, Instant start, Instant end) {

		public BucketSpan {
			if (!start.isBefore(end) || !level.startOf(start).equals(start) || !level.startOf(end).equals(end)) {
				throw new IllegalArgumentException("Not a span of whole " + level + " buckets: " + start + ", " + end);
			}
		}

		/** One bucket. */
		public static BucketSpan of(BucketLevel level, Instant start) {
			return new BucketSpan(level, start, start.plus(level.width()));
		}

		/** The start of the span's last bucket. */
		public Instant lastStart() {
			return this.end.minus(this.level.width());
		}

		public long bucketCount() {
			return (this.end.getEpochSecond() - this.start.getEpochSecond()) / this.level.seconds();
		}

	}

	/** {@code [from, until)}. */
	public record Interval(Instant from, Instant until) {

		public boolean isEmpty() {
			return !this.from.isBefore(this.until);
		}

	}

	/** Covers {@code [from, to]}, both inclusive. */
	public static WindowCover of(Instant from, Instant to) {
		if (to.isBefore(from)) {
			throw new IllegalArgumentException("The window ends before it starts");
		}
		Instant until = to.truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS);
		List<BucketSpan> buckets = new ArrayList<>();
		List<Interval> edges = new ArrayList<>();
		cover(new Interval(from, until), BucketLevel.values().length - 1, buckets, edges);
		buckets.sort(Comparator.comparing(BucketSpan::start));
		edges.sort(Comparator.comparing(Interval::from));
		return new WindowCover(List.copyOf(buckets), List.copyOf(edges));
	}

	/**
	 * Spans of one level with no gap joined into one, ordered by level, then start: what
	 * several covers (a series' buckets) read together as few ranges.
	 */
	public static List<BucketSpan> joined(List<BucketSpan> spans) {
		List<BucketSpan> sorted = new ArrayList<>(spans);
		sorted.sort(Comparator.comparing((BucketSpan span) -> span.level().seconds()).thenComparing(BucketSpan::start));
		List<BucketSpan> joined = new ArrayList<>();
		for (BucketSpan span : sorted) {
			int last = joined.size() - 1;
			if (last >= 0 && joined.get(last).level() == span.level() && joined.get(last).end().equals(span.start())) {
				joined.set(last, new BucketSpan(span.level(), joined.get(last).start(), span.end()));
			}
			else {
				joined.add(span);
			}
		}
		return joined;
	}

	/**
	 * Whole buckets of the given level in the middle, the rest at finer levels, then
	 * edges.
	 */
	private static void cover(Interval part, int levelIndex, List<BucketSpan> buckets, List<Interval> edges) {
		if (part.isEmpty()) {
			return;
		}
		if (levelIndex < 0) {
			edges.add(part);
			return;
		}
		BucketLevel level = BucketLevel.values()[levelIndex];
		Instant firstStart = ceilTo(level, part.from());
		Instant lastEnd = level.startOf(part.until());
		if (!firstStart.isBefore(lastEnd)) {
			cover(part, levelIndex - 1, buckets, edges);
			return;
		}
		buckets.add(new BucketSpan(level, firstStart, lastEnd));
		cover(new Interval(part.from(), firstStart), levelIndex - 1, buckets, edges);
		cover(new Interval(lastEnd, part.until()), levelIndex - 1, buckets, edges);
	}

	private static Instant ceilTo(BucketLevel level, Instant instant) {
		Instant start = level.startOf(instant);
		return start.equals(instant) ? start : start.plus(level.width());
	}

}
