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
		if (start.isAfter(end)) {
			parameters.problem("from", "must not be after to");
			return new TimeWindow(end, end);
		}
		return new TimeWindow(start, end);
	}

	/** The window of equal length that ends just before this one starts. */
	public TimeWindow previous() {
		Instant previousTo = this.from.minus(1, ChronoUnit.MICROS);
		return new TimeWindow(previousTo.minus(Duration.between(this.from, this.to)), previousTo);
	}

	/** The first instant after the window: {@code [from, until)} is the same window. */
	public Instant until() {
		return this.to.plus(1, ChronoUnit.MICROS);
	}

}
