package run.trakr.readapi.ratelimit;

import java.time.Duration;

/**
 * The outcome of counting one request: accepted, refused (over quota), or refused because
 * the token carries a revocation mark in Redis; whether Redis decided it (shared by all
 * replicas) or this replica alone; how many more requests the window allows; and when the
 * oldest counted request leaves the window (a refused client may retry then).
 */
public record RateLimitDecision(Outcome outcome, boolean shared, int limit, Duration window, int remaining,
		Duration untilSlotFrees) {

	/** What happened to the request. */
	public enum Outcome {

		ACCEPTED, REFUSED, REVOKED

	}

	public boolean accepted() {
		return this.outcome == Outcome.ACCEPTED;
	}

	/**
	 * Whole seconds, rounded up, until a slot frees: {@code Retry-After} and the
	 * {@code t} of {@code RateLimit}.
	 */
	public long secondsUntilSlotFrees() {
		long millis = this.untilSlotFrees.toMillis();
		return Math.max(1, (millis + 999) / 1000);
	}

}
