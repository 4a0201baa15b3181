package run.trakr.readapi.ratelimit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The same sliding-window log as the Redis script, in this replica's memory: what limits
 * requests while Redis is unreachable.
 */
class LocalSlidingWindow {

	private final int limit;

	private final long windowNanos;

	private final LongSupplier nanoClock;

	private final Map<String, ArrayDeque<Long>> logs = new ConcurrentHashMap<>();

	LocalSlidingWindow(int limit, Duration window, LongSupplier nanoClock) {
		this.limit = limit;
		this.windowNanos = window.toNanos();
		this.nanoClock = nanoClock;
	}

	RateLimitDecision tryAcquire(String key) {
		ArrayDeque<Long> log = this.logs.computeIfAbsent(key, k -> new ArrayDeque<>());
		synchronized (log) {
			long now = this.nanoClock.getAsLong();
			while (!log.isEmpty() && log.peekFirst() <= now - this.windowNanos) {
				log.pollFirst();
			}
			boolean accepted = log.size() < this.limit;
			if (accepted) {
				log.addLast(now);
			}
			long untilSlotFrees = log.isEmpty() ? 0 : log.peekFirst() + this.windowNanos - now;
			return new RateLimitDecision(
					accepted ? RateLimitDecision.Outcome.ACCEPTED : RateLimitDecision.Outcome.REFUSED, false,
					this.limit, Duration.ofNanos(this.windowNanos), this.limit - log.size(),
					Duration.ofNanos(untilSlotFrees));
		}
	}

	/**
	 * Forgets tokens with nothing in their window, so memory follows active tokens only.
	 */
	void evictIdle() {
		long now = this.nanoClock.getAsLong();
		this.logs.entrySet().removeIf(entry -> {
			synchronized (entry.getValue()) {
				Long newest = entry.getValue().peekLast();
				return newest == null || newest <= now - this.windowNanos;
			}
		});
	}

}
