package run.trakr.schema.rollup;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import run.trakr.schema.rollup.WindowCover.BucketSpan;
import run.trakr.schema.rollup.WindowCover.Interval;

import static org.assertj.core.api.Assertions.assertThat;

class WindowCoverTest {

	@Test
	void coversAnUnalignedWindowWithTheLargestBucketsAndShortEdges() {
		WindowCover cover = WindowCover.of(Instant.parse("2026-11-01T10:03:00Z"),
				Instant.parse("2026-11-03T00:00:00Z"));

		assertThat(cover.edges()).containsExactly(
				new Interval(Instant.parse("2026-11-01T10:03:00Z"), Instant.parse("2026-11-01T10:05:00Z")),
				new Interval(Instant.parse("2026-11-03T00:00:00Z"), Instant.parse("2026-11-03T00:00:00.000001Z")));
		assertThat(cover.buckets()).containsExactly(
				new BucketSpan(BucketLevel.FIVE_MINUTES, Instant.parse("2026-11-01T10:05:00Z"),
						Instant.parse("2026-11-01T11:00:00Z")),
				new BucketSpan(BucketLevel.HOUR, Instant.parse("2026-11-01T11:00:00Z"),
						Instant.parse("2026-11-02T00:00:00Z")),
				BucketSpan.of(BucketLevel.DAY, Instant.parse("2026-11-02T00:00:00Z")));
		assertThat(cover.buckets().get(0).bucketCount()).isEqualTo(11);
		assertThat(cover.buckets().get(1).bucketCount()).isEqualTo(13);
	}

	@Test
	void everyWindowIsCoveredExactlyOnceByAlignedBucketsAndAtMostTwoEdgesSmallerThanABucket() {
		Random random = new Random(5);
		Instant base = Instant.parse("2026-06-01T00:00:00Z");
		for (int trial = 0; trial < 2000; trial++) {
			Instant from = base.plus(random.nextLong(Duration.ofDays(60).toNanos() / 1000), ChronoUnit.MICROS);
			long lengthMicros = switch (random.nextInt(4)) {
				case 0 -> random.nextLong(Duration.ofMinutes(10).toNanos() / 1000);
				case 1 -> random.nextLong(Duration.ofHours(30).toNanos() / 1000);
				default -> random.nextLong(Duration.ofDays(95).toNanos() / 1000);
			};
			if (random.nextInt(5) == 0) {
				from = BucketLevel.values()[random.nextInt(3)].startOf(from);
			}
			Instant to = from.plus(lengthMicros, ChronoUnit.MICROS);

			WindowCover cover = WindowCover.of(from, to);

			List<Interval> pieces = new ArrayList<>();
			for (BucketSpan span : cover.buckets()) {
				assertThat(span.level().startOf(span.start())).isEqualTo(span.start());
				assertThat(span.level().startOf(span.end())).isEqualTo(span.end());
				pieces.add(new Interval(span.start(), span.end()));
			}
			pieces.addAll(cover.edges());
			pieces.sort(Comparator.comparing(Interval::from));
			Instant cursor = from;
			for (Interval piece : pieces) {
				assertThat(piece.from()).as("trial %d", trial).isEqualTo(cursor);
				assertThat(piece.isEmpty()).isFalse();
				cursor = piece.until();
			}
			assertThat(cursor).isEqualTo(to.plus(1, ChronoUnit.MICROS));
			// No whole 5-minute bucket is left in an edge: only what no bucket can answer
			// comes from run rows.
			assertThat(cover.edges()).hasSizeLessThanOrEqualTo(2).allSatisfy(edge -> {
				Instant firstAligned = BucketLevel.FIVE_MINUTES.startOf(edge.from().minusNanos(1000))
					.plus(BucketLevel.FIVE_MINUTES.width());
				assertThat(firstAligned.plus(BucketLevel.FIVE_MINUTES.width())).isAfter(edge.until());
			});
			// At most one span of days, two of hours, two of 5-minute buckets.
			assertThat(cover.buckets()).hasSizeLessThanOrEqualTo(5);
		}
	}

	@Test
	void theLongestWindowIsAFewSpansNotMillionsOfBuckets() {
		WindowCover cover = WindowCover.of(Instant.parse("0001-01-02T00:00:00.5Z"),
				Instant.parse("9999-12-31T23:59:59.999999Z"));

		assertThat(cover.buckets()).hasSizeLessThanOrEqualTo(5);
		assertThat(cover.buckets().stream().mapToLong(BucketSpan::bucketCount).max().getAsLong())
			.isGreaterThan(3_600_000);
		assertThat(cover.edges()).hasSize(1);
	}

	@Test
	void spansOfOneLevelWithNoGapAreJoined() {
		Instant day = Instant.parse("2026-11-02T00:00:00Z");
		List<BucketSpan> joined = WindowCover
			.joined(List.of(BucketSpan.of(BucketLevel.HOUR, day.plusSeconds(3600)), BucketSpan.of(BucketLevel.DAY, day),
					BucketSpan.of(BucketLevel.HOUR, day), BucketSpan.of(BucketLevel.HOUR, day.plusSeconds(3 * 3600))));

		assertThat(joined).containsExactly(new BucketSpan(BucketLevel.HOUR, day, day.plusSeconds(2 * 3600)),
				BucketSpan.of(BucketLevel.HOUR, day.plusSeconds(3 * 3600)), BucketSpan.of(BucketLevel.DAY, day));
	}

	@Test
	void aWindowOfOneInstantIsOneEdge() {
		Instant at = Instant.parse("2026-11-28T12:00:00Z");
		WindowCover cover = WindowCover.of(at, at);
		assertThat(cover.buckets()).isEmpty();
		assertThat(cover.edges()).containsExactly(new Interval(at, at.plus(1, ChronoUnit.MICROS)));
	}

	@Test
	void bucketStartsAreUtcAligned() {
		Instant t = Instant.parse("2026-11-28T13:47:12.345Z");
		assertThat(BucketLevel.FIVE_MINUTES.startOf(t)).isEqualTo(Instant.parse("2026-11-28T13:45:00Z"));
		assertThat(BucketLevel.HOUR.startOf(t)).isEqualTo(Instant.parse("2026-11-28T13:00:00Z"));
		assertThat(BucketLevel.DAY.startOf(t)).isEqualTo(Instant.parse("2026-11-28T00:00:00Z"));
		assertThat(BucketLevel.ofSeconds(3600)).isEqualTo(BucketLevel.HOUR);
	}

}
