package run.trakr.schema.rollup;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * How an arbitrary window is answered exactly: the largest whole buckets that fit inside
 * it, and the unaligned edges left over (less than five minutes at each end), which come
 * from run rows. Windows are inclusive at both ends, at PostgreSQL's microsecond
 * precision.
 *
 * @param buckets whole buckets inside the window, each at the largest level that fits
 * @param edges the parts of the window no bucket covers, as half-open intervals
 */
public record WindowCover(List<Bucket> buckets, List<Interval> edges) {

	/** One rollup bucket. */
	public record Bucket(BucketLevel level, Instant start) {

		public Instant end() {
			return this.start.plus(this.level.width());
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
		List<Bucket> buckets = new ArrayList<>();
		List<Interval> edges = new ArrayList<>();
		cover(new Interval(from, until), BucketLevel.values().length - 1, buckets, edges);
		buckets.sort((a, b) -> a.start().compareTo(b.start()));
		edges.sort((a, b) -> a.from().compareTo(b.from()));
		return new WindowCover(List.copyOf(buckets), List.copyOf(edges));
	}

	/**
	 * Whole buckets of the given level in the middle, the rest at finer levels, then
	 * edges.
	 */
	private static void cover(Interval part, int levelIndex, List<Bucket> buckets, List<Interval> edges) {
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
		for (Instant start = firstStart; start.isBefore(lastEnd); start = start.plus(level.width())) {
			buckets.add(new Bucket(level, start));
		}
		cover(new Interval(part.from(), firstStart), levelIndex - 1, buckets, edges);
		cover(new Interval(lastEnd, part.until()), levelIndex - 1, buckets, edges);
	}

	private static Instant ceilTo(BucketLevel level, Instant instant) {
		Instant start = level.startOf(instant);
		return start.equals(instant) ? start : start.plus(level.width());
	}

}
