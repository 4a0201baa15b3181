package run.trakr.readapi.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A query's {@code [from, to]}, inclusive at both ends, at PostgreSQL's microsecond
 * precision. Defaults to the last 30 days.
 */
public record TimeWindow(Instant from, Instant to) {

	public static final Duration DEFAULT_LENGTH = Duration.ofDays(30);

	/**
	 * The earliest instant a window may hold: PostgreSQL and ISO 8601 both start at year
	 * 1.
	 */
	public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

	/** The latest instant a window may hold. */
	public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

	public TimeWindow {
		from = from.truncatedTo(ChronoUnit.MICROS);
		to = to.truncatedTo(ChronoUnit.MICROS);
	}

	/**
	 * Reads {@code from} and {@code to}; a window that ends before it starts is a
	 * problem.
	 */
	public static TimeWindow read(QueryParameters parameters, Clock clock) {
		Instant from = parameters.instant("from");
		Instant to = parameters.instant("to");
		Instant now = clock.instant();
		if (parameters.hasProblems()) {
			// Either may be unusable; the caller validates before using the window.
			return new TimeWindow(now.minus(DEFAULT_LENGTH), now);
		}
		Instant end = (to != null) ? to : now;
		Instant start = (from != null) ? from : end.minus(DEFAULT_LENGTH);
		if (start.isBefore(EARLIEST)) {
			// The default 30 days of a window ending in January of year 1.
			start = EARLIEST;
		}
		if (start.isAfter(end)) {
			parameters.problem("from", "must not be after to");
			return new TimeWindow(end, end);
		}
		return new TimeWindow(start, end);
	}

	/**
	 * The window of equal length that ends just before this one starts, cut at
	 * {@link #EARLIEST}; {@code null} when this one starts there and nothing is before
	 * it.
	 */
	public TimeWindow previous() {
		if (!this.from.isAfter(EARLIEST)) {
			return null;
		}
		Instant previousTo = this.from.minus(1, ChronoUnit.MICROS);
		Duration length = Duration.between(this.from, this.to);
		Instant previousFrom = (Duration.between(EARLIEST, previousTo).compareTo(length) < 0) ? EARLIEST
				: previousTo.minus(length);
		return new TimeWindow(previousFrom, previousTo);
	}

	/** The first instant after the window: {@code [from, until)} is the same window. */
	public Instant until() {
		return this.to.plus(1, ChronoUnit.MICROS);
	}

}
