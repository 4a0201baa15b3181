package run.trakr.readapi.auth;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.scheduling.annotation.Scheduled;

/**
 * Counts failed authentications that cost a database lookup (tokens unknown or revoked,
 * not answered from the cache) per client address in fixed windows. An address past its
 * budget gets a 429 for any token this replica does not already know, before any database
 * lookup; tokens it knows keep working, so a valid dashboard behind the same NAT as a
 * guessing script is not locked out.
 */
class FailedAuthentications {

	/** Failures an address may have per window. */
	static final int BUDGET = 30;

	static final Duration WINDOW = Duration.ofSeconds(10);

	/** Addresses tracked at most; past this the oldest counts are dropped together. */
	private static final int MAX_ADDRESSES = 100_000;

	private record Count(long windowStart, int failures) {
	}

	private final Map<String, Count> counts = new ConcurrentHashMap<>();

	private final LongSupplier nanoClock;

	private final long windowNanos = WINDOW.toNanos();

	private final Counter failures;

	private final Counter throttled;

	FailedAuthentications(LongSupplier nanoClock, MeterRegistry meters) {
		this.nanoClock = nanoClock;
		this.failures = Counter.builder("trakr.auth.failures")
			.description("Requests with an unknown or revoked token")
			.register(meters);
		this.throttled = Counter.builder("trakr.auth.throttled")
			.description("Requests refused with 429 because their address failed to authenticate too often")
			.register(meters);
	}

	/** Seconds until the address may try unknown tokens again; 0 when it may now. */
	long secondsThrottled(String address) {
		Count count = this.counts.get(address);
		long now = this.nanoClock.getAsLong();
		if (count == null || count.failures() < BUDGET || now - count.windowStart() >= this.windowNanos) {
			return 0;
		}
		this.throttled.increment();
		return Math.max(1, Duration.ofNanos(count.windowStart() + this.windowNanos - now).toSeconds() + 1);
	}

	void failed(String address) {
		this.failures.increment();
		if (this.counts.size() >= MAX_ADDRESSES) {
			this.counts.clear();
		}
		long now = this.nanoClock.getAsLong();
		this.counts.compute(address, (key, count) -> (count == null || now - count.windowStart() >= this.windowNanos)
				? new Count(now, 1) : new Count(count.windowStart(), count.failures() + 1));
	}

	@Scheduled(fixedDelay = 10_000)
	void dropExpired() {
		long now = this.nanoClock.getAsLong();
		this.counts.values().removeIf((count) -> now - count.windowStart() >= this.windowNanos);
	}

}
