package run.trakr.readapi.rollup;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import run.trakr.readapi.query.TimeWindow;
import run.trakr.schema.rollup.BucketLevel;
import run.trakr.schema.rollup.WindowCover;
import run.trakr.schema.rollup.WindowCover.BucketSpan;
import run.trakr.schema.rollup.WindowCover.Interval;

/**
 * Which whole rollup buckets and which edge runs answer a window (or every piece of a
 * series): pure arithmetic on instants, no database. The edges are cut at 5-minute
 * boundaries, because edge runs are read (and cached) per 5-minute bucket.
 *
 * @param buckets the whole buckets, joined into spans
 * @param edges what no whole bucket covers, read from run rows
 * @param edgesByBucket the edges cut at 5-minute boundaries, by that bucket's start
 */
record WindowPlan(List<BucketSpan> buckets, List<Interval> edges, Map<Instant, List<Interval>> edgesByBucket) {

	/** The smallest rollup width: series of finer buckets come from run rows alone. */
	static final int BUCKET_ALIGNMENT = 300;

	/**
	 * Up to this many 5-minute buckets of edge runs come from the cache per request (a
	 * window has two edges); more (a series of minutes) are read from the run rows.
	 */
	static final int CACHED_EDGE_BUCKETS = 4;

	/** The plan of one window. */
	static WindowPlan of(TimeWindow window) {
		return of(List.of(WindowCover.of(window.from(), window.to())));
	}

	/** The plan of several covers read together (the pieces of a series). */
	static WindowPlan of(List<WindowCover> covers) {
		List<BucketSpan> spans = new ArrayList<>();
		List<Interval> edges = new ArrayList<>();
		for (WindowCover cover : covers) {
			spans.addAll(cover.buckets());
			edges.addAll(cover.edges());
		}
		return new WindowPlan(WindowCover.joined(spans), List.copyOf(edges), byFiveMinuteBucket(edges));
	}

	/** Whether the edges are few enough to come from cached 5-minute buckets. */
	boolean edgesCached() {
		return this.edgesByBucket.size() <= CACHED_EDGE_BUCKETS;
	}

	/** The UTC-aligned bucket of {@code widthSeconds} an instant falls in. */
	static Instant seriesBucket(Instant instant, int widthSeconds) {
		return Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), widthSeconds) * widthSeconds);
	}

	/**
	 * The cover of each UTC-aligned bucket of {@code widthSeconds} overlapping the
	 * window, by bucket start, clipped to the window. Widths that are not whole rollup
	 * buckets are edges only.
	 */
	static TreeMap<Instant, WindowCover> series(TimeWindow window, int widthSeconds) {
		TreeMap<Instant, WindowCover> covers = new TreeMap<>();
		for (Instant start = seriesBucket(window.from(), widthSeconds); !start.isAfter(window.to()); start = start
			.plusSeconds(widthSeconds)) {
			Instant pieceFrom = start.isBefore(window.from()) ? window.from() : start;
			Instant pieceTo = start.plusSeconds(widthSeconds).minus(1, ChronoUnit.MICROS);
			if (pieceTo.isAfter(window.to())) {
				pieceTo = window.to();
			}
			covers.put(start, (widthSeconds % BUCKET_ALIGNMENT == 0) ? WindowCover.of(pieceFrom, pieceTo)
					: new WindowCover(List.of(), List.of(new Interval(pieceFrom, pieceTo.plus(1, ChronoUnit.MICROS)))));
		}
		return covers;
	}

	/**
	 * The cover of each bucket of the zone's own minutes, hours or days overlapping the
	 * window, by the instant it starts, clipped to the window: hours start on the zone's
	 * hour (a :30 or :45 offset gives half- and quarter-hours in UTC), days at its
	 * midnight (a DST day is 23 or 25 hours long). Each piece is covered by the largest
	 * whole UTC rollup buckets inside it; what none covers is an edge.
	 */
	static TreeMap<Instant, WindowCover> zoneSeries(TimeWindow window, ChronoUnit unit, ZoneId zone) {
		TreeMap<Instant, WindowCover> covers = new TreeMap<>();
		Instant start = zoneBucket(window.from(), unit, zone);
		while (!start.isAfter(window.to())) {
			Instant next = nextZoneBucket(start, unit, zone);
			Instant pieceFrom = start.isBefore(window.from()) ? window.from() : start;
			Instant pieceTo = next.minus(1, ChronoUnit.MICROS);
			if (pieceTo.isAfter(window.to())) {
				pieceTo = window.to();
			}
			covers.put(start, WindowCover.of(pieceFrom, pieceTo));
			start = next;
		}
		return covers;
	}

	/** The start of the zone's minute, hour or day an instant falls in. */
	static Instant zoneBucket(Instant instant, ChronoUnit unit, ZoneId zone) {
		ZonedDateTime local = instant.atZone(zone);
		return (unit == ChronoUnit.DAYS) ? local.toLocalDate().atStartOfDay(zone).toInstant()
				: local.truncatedTo(unit).toInstant();
	}

	private static Instant nextZoneBucket(Instant start, ChronoUnit unit, ZoneId zone) {
		if (unit == ChronoUnit.DAYS) {
			return start.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
		}
		// A later local boundary, also where the offset changes by other than a whole
		// unit.
		Instant next = zoneBucket(start.plus(1, unit), unit, zone);
		return next.isAfter(start) ? next : start.plus(1, unit);
	}

	/**
	 * The edges cut at 5-minute boundaries, by the start of the bucket each piece is in.
	 */
	static Map<Instant, List<Interval>> byFiveMinuteBucket(List<Interval> edges) {
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

}
