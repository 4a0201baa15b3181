package run.trakr.bench;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * The read API's clock in a benchmark: real time plus an offset that the benchmark moves,
 * so that a measurement of a few seconds crosses a day boundary (and so an hour and a
 * 5-minute one) in its middle, as a dashboard's "last 30 days" does once a day.
 */
final class MovableClock extends Clock {

	private volatile Duration offset = Duration.ZERO;

	@Override
	public Instant instant() {
		return Instant.now().plus(this.offset);
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("the API's clock is UTC");
	}

	/**
	 * Moves forward so that the next UTC midnight comes {@code after} from now; returns
	 * that midnight.
	 */
	Instant crossMidnightIn(Duration after) {
		Instant now = instant();
		Instant midnight = now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
		this.offset = this.offset.plus(Duration.between(now, midnight).minus(after));
		return midnight;
	}

}
