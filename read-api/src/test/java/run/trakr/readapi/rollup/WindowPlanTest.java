package run.trakr.readapi.rollup;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import run.trakr.readapi.query.TimeWindow;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.WindowCover;
import run.trakr.schema.rollup.WindowCover.Interval;

import static org.assertj.core.api.Assertions.assertThat;

/** What a window reads, worked out without a database. */
class WindowPlanTest {

	private static final Instant DAY = Instant.parse("2026-11-30T00:00:00Z");

	@Test
	void aWindowReadsWholeBucketsAndCutsItsEdgesAtFiveMinuteBoundaries() {
		TimeWindow window = new TimeWindow(DAY.plus(Duration.parse("PT10H2M30S")), DAY.plus(Duration.parse("PT12H7M")));
		WindowPlan plan = WindowPlan.of(window);

		assertThat(plan.buckets()).extracting(WindowCover.BucketSpan::level)
			.contains(BucketLevel.HOUR, BucketLevel.FIVE_MINUTES);
		assertThat(plan.edges()).isNotEmpty();
		assertThat(plan.edgesCached()).as("two edges, each in one 5-minute bucket").isTrue();
		plan.edgesByBucket().forEach((start, pieces) -> {
			assertThat(BucketLevel.FIVE_MINUTES.startOf(start)).isEqualTo(start);
			pieces.forEach((piece) -> {
				assertThat(piece.from()).isAfterOrEqualTo(start);
				assertThat(piece.until()).isBeforeOrEqualTo(start.plus(BucketLevel.FIVE_MINUTES.width()));
			});
		});
		assertThat(totalLength(plan.edgesByBucket())).as("the pieces are the edges, cut")
			.isEqualTo(plan.edges()
				.stream()
				.map(e -> Duration.between(e.from(), e.until()))
				.reduce(Duration.ZERO, Duration::plus));
	}

	@Test
	void aWindowOnBucketBoundariesHasNoEdges() {
		WindowPlan plan = WindowPlan.of(new TimeWindow(DAY, DAY.plus(Duration.ofDays(2)).minusNanos(1000)));
		assertThat(plan.edges()).isEmpty();
		assertThat(plan.buckets()).isNotEmpty();
	}

	@Test
	void aSeriesHasOneCoverPerBucketClippedToTheWindow() {
		TimeWindow window = new TimeWindow(DAY.plus(Duration.ofMinutes(90)), DAY.plus(Duration.ofMinutes(270)));
		TreeMap<Instant, WindowCover> hours = WindowPlan.series(window, 3600);
		assertThat(hours.keySet()).containsExactly(DAY.plus(Duration.ofHours(1)), DAY.plus(Duration.ofHours(2)),
				DAY.plus(Duration.ofHours(3)), DAY.plus(Duration.ofHours(4)));
		assertThat(hours.firstEntry().getValue().edges()).extracting(Interval::from)
			.allSatisfy((from) -> assertThat(from).isAfterOrEqualTo(window.from()));

		TreeMap<Instant, WindowCover> minutes = WindowPlan.series(window, 60);
		assertThat(minutes).hasSize(181);
		assertThat(minutes.values()).allSatisfy((cover) -> assertThat(cover.buckets()).isEmpty());
		assertThat(WindowPlan.of(List.copyOf(minutes.values())).edgesCached())
			.as("three hours of minutes are read from the run rows, not 36 cached buckets")
			.isFalse();
	}

	@Test
	void seriesBucketsAreUtcAligned() {
		assertThat(WindowPlan.seriesBucket(DAY.plusSeconds(3 * 3600 + 59), 3600)).isEqualTo(DAY.plusSeconds(3 * 3600));
		assertThat(WindowPlan.seriesBucket(Instant.EPOCH.minusSeconds(1), 60))
			.isEqualTo(Instant.EPOCH.minusSeconds(60));
	}

	private static Duration totalLength(Map<Instant, List<Interval>> pieces) {
		List<Interval> all = new ArrayList<>();
		pieces.values().forEach(all::addAll);
		return all.stream().map(p -> Duration.between(p.from(), p.until())).reduce(Duration.ZERO, Duration::plus);
	}

	/**
	 * Berlin's days in 2026: 23 hours on 29 March, 25 on 25 October, 24 otherwise; each
	 * starts at the zone's midnight, and every piece is covered without an edge (the
	 * zone's midnights are UTC hours).
	 */
	@ParameterizedTest
	@CsvSource({ "2026-03-28, 2026-03-31, 24, 23, 24", "2026-10-24, 2026-10-27, 24, 25, 24" })
	void berlinDaysAcrossDstAre23And25HoursAndStartAtItsMidnight(String first, String last, long day1, long day2,
			long day3) {
		ZoneId berlin = ZoneId.of("Europe/Berlin");
		TimeWindow window = new TimeWindow(LocalDate.parse(first).atStartOfDay(berlin).toInstant(),
				LocalDate.parse(last).atStartOfDay(berlin).toInstant().minus(1, ChronoUnit.MICROS));
		TreeMap<Instant, WindowCover> covers = WindowPlan.zoneSeries(window, ChronoUnit.DAYS, berlin);
		assertThat(covers).hasSize(3);
		List<Long> hours = new ArrayList<>();
		covers.forEach((start, cover) -> {
			assertThat(start.atZone(berlin).toLocalTime()).isEqualTo(LocalTime.MIDNIGHT);
			assertThat(cover.edges()).isEmpty();
			hours.add(cover.buckets()
				.stream()
				.mapToLong(span -> Duration.between(span.start(), span.end()).toHours())
				.sum());
		});
		assertThat(hours).containsExactly(day1, day2, day3);
	}

	/**
	 * Hours of a zone with a :30 or :45 offset start on its own hour, a half or quarter
	 * past in UTC, and are composed of twelve 5-minute rollup buckets each.
	 */
	@ParameterizedTest
	@CsvSource({ "Asia/Kolkata, 30", "Asia/Kathmandu, 15", "America/St_Johns, 30" })
	void hoursOfAZoneWithAFractionalOffsetStartOnItsOwnHour(String zoneName, int utcMinute) {
		ZoneId zone = ZoneId.of(zoneName);
		TimeWindow window = new TimeWindow(DAY, DAY.plus(Duration.ofHours(5)).minus(1, ChronoUnit.MICROS));
		TreeMap<Instant, WindowCover> covers = WindowPlan.zoneSeries(window, ChronoUnit.HOURS, zone);
		assertThat(covers).hasSize(6);
		covers.forEach((start, cover) -> {
			assertThat(start.atZone(zone).getMinute()).isZero();
			assertThat(start.atZone(java.time.ZoneOffset.UTC).getMinute()).isEqualTo(utcMinute);
			assertThat(cover.edges()).as("5-minute aligned").isEmpty();
		});
		// The first and last are clipped to the window; those between are whole hours.
		covers.subMap(covers.firstKey(), false, covers.lastKey(), false)
			.values()
			.forEach(cover -> assertThat(cover.buckets()
				.stream()
				.mapToLong(span -> Duration.between(span.start(), span.end()).toMinutes())
				.sum()).isEqualTo(60));
	}

}
