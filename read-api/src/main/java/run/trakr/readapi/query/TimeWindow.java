package run.trakr.readapi.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
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

	/**
	 * This window with each edge that is before {@code horizon} moved out to the whole
	 * UTC hour holding it: {@code from} down to its hour's start, {@code to} up to its
	 * hour's last microsecond. Unchanged when it starts at or after the horizon, or there
	 * is none (null). The horizon is a UTC day's start, so a rounded {@code to} stays
	 * before it.
	 */
	public TimeWindow roundedToHoursBefore(Instant horizon) {
		if (horizon == null || !this.from.isBefore(horizon)) {
			return this;
		}
		Instant roundedTo = this.to;
		if (this.to.isBefore(horizon)) {
			roundedTo = this.to.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS).minus(1, ChronoUnit.MICROS);
		}
		return new TimeWindow(this.from.truncatedTo(ChronoUnit.HOURS), roundedTo);
	}

	/** The first instant after the window: {@code [from, until)} is the same window. */
	public Instant until() {
		return this.to.plus(1, ChronoUnit.MICROS);
	}

	/**
	 * A timestamp parameter: ISO 8601 with an offset ({@code Z}, {@code +01:00}; an
	 * unencoded '+' arrives as a space), or an integer of epoch milliseconds, which is
	 * what Grafana's {@code ${__from}} and {@code ${__to}} expand to. Null when it is
	 * neither; a number too large for any instant gives {@link Instant#MIN}, which the
	 * caller refuses as out of range.
	 */
	static Instant parse(String value) {
		String text = value.trim().replace(' ', '+');
		if (isEpochMillis(text)) {
			try {
				return Instant.ofEpochMilli(Long.parseLong(text));
			}
			catch (NumberFormatException ex) {
				return Instant.MIN;
			}
		}
		try {
			return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	/** An optional minus and 1 to 19 ASCII digits. */
	private static boolean isEpochMillis(String text) {
		int first = text.startsWith("-") ? 1 : 0;
		if (text.length() <= first || text.length() - first > 19) {
			return false;
		}
		for (int i = first; i < text.length(); i++) {
			if (text.charAt(i) < '0' || text.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

}
