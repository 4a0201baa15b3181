package run.trakr.readapi.ratelimit;

import java.time.Duration;

/**
 * The outcome of counting one request: whether it is accepted, how many more the window
 * allows, and when the oldest counted request leaves the window (a refused client may
 * retry then).
 */
public record RateLimitDecision(boolean accepted, int limit, Duration window, int remaining, Duration untilSlotFrees) {

	/**
	 * Whole seconds, rounded up, until a slot frees: {@code Retry-After} and the
	 * {@code t} of {@code RateLimit}.
	 */
	public long secondsUntilSlotFrees() {
		long millis = this.untilSlotFrees.toMillis();
		return Math.max(1, (millis + 999) / 1000);
	}

}
