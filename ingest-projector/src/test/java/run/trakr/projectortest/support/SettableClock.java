package run.trakr.projectortest.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A projector's clock that a test sets: real time plus an offset, so that time still
 * passes (polls, freshness) while the test puts "now" on another day.
 */
public final class SettableClock extends Clock {

	private volatile Duration offset = Duration.ZERO;

	public SettableClock(Instant now) {
		set(now);
	}

	/** From now on, the clock reads {@code now} plus the real time passed since. */
	public void set(Instant now) {
		this.offset = Duration.between(Instant.now(), now);
	}

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
		throw new UnsupportedOperationException("the projector's clock is UTC");
	}

}
