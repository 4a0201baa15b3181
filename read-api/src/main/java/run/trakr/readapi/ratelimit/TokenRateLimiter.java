package run.trakr.readapi.ratelimit;

import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;

/**
 * Decides whether a token may make one more request: through Redis, so that all replicas
 * share one quota, or, while Redis is unreachable, through this replica's own window so
 * that reads keep being served.
 */
public class TokenRateLimiter implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(TokenRateLimiter.class);

	private final RedisSlidingWindow shared;

	private final LocalSlidingWindow local;

	private final AtomicBoolean degraded = new AtomicBoolean(false);

	private final Counter sharedDecisions;

	private final Counter localDecisions;

	private final Counter refused;

	TokenRateLimiter(RedisSlidingWindow shared, LocalSlidingWindow local, MeterRegistry meters) {
		this.shared = shared;
		this.local = local;
		this.sharedDecisions = Counter.builder("trakr.ratelimit.decisions")
			.tag("source", "redis")
			.description("Rate-limit decisions, by where they were made")
			.register(meters);
		this.localDecisions = Counter.builder("trakr.ratelimit.decisions")
			.tag("source", "local-fallback")
			.description("Rate-limit decisions, by where they were made")
			.register(meters);
		this.refused = Counter.builder("trakr.ratelimit.refused")
			.description("Requests refused with 429")
			.register(meters);
		Gauge.builder("trakr.ratelimit.redis.available", this, limiter -> limiter.isDegraded() ? 0 : 1)
			.description("1 while the shared Redis limiter is in use, 0 while each replica limits on its own")
			.register(meters);
	}

	/**
	 * Counts one request of the token; a refused request is not counted. Through Redis
	 * the answer may also be that the token has been revoked.
	 */
	public RateLimitDecision tryAcquire(String tokenKey) {
		RateLimitDecision decision = null;
		if (!this.degraded.get()) {
			try {
				decision = this.shared.tryAcquire(tokenKey);
				this.sharedDecisions.increment();
			}
			catch (RuntimeException ex) {
				// A circuit breaker: after one failure no request waits on Redis until
				// the
				// background probe has seen it answer (a stalled Redis cost every request
				// the full timeout).
				if (this.degraded.compareAndSet(false, true)) {
					log.warn("Redis unreachable ({}); limiting per replica until it is back",
							ex.getClass().getSimpleName());
				}
			}
		}
		if (decision == null) {
			decision = this.local.tryAcquire(tokenKey);
			this.localDecisions.increment();
		}
		if (decision.outcome() == RateLimitDecision.Outcome.REFUSED) {
			this.refused.increment();
		}
		return decision;
	}

	/** True while decisions are made per replica, without Redis. */
	public boolean isDegraded() {
		return this.degraded.get() || !this.shared.isConnected();
	}

	/** Why Redis is not in use, while degraded, as far as the last probe saw. */
	public String degradedReason() {
		String reason = this.shared.lastProbeFailure();
		return (reason != null) ? reason : "not connected";
	}

	/**
	 * Off the request path: connects, and while degraded probes Redis, sharing limits
	 * again once it answers (within one interval of its return, not after Lettuce's
	 * reconnect back-off).
	 */
	@Scheduled(fixedDelayString = "${trakr.rate-limit.reconnect-interval:1s}")
	void maintain() {
		this.shared.connectIfNeeded();
		if (this.degraded.get() && this.shared.answers() && this.degraded.compareAndSet(true, false)) {
			log.info("Rate limits are shared through Redis again");
		}
		this.local.evictIdle();
	}

	@Override
	public void close() {
		this.shared.close();
	}

}
