package run.trakr.readapi.ratelimit;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * {@code rateLimit} health: UP while limits are shared through Redis, DEGRADED (still
 * serving, HTTP 200) while each replica limits on its own.
 */
class RateLimitHealthIndicator implements HealthIndicator {

	static final Status DEGRADED = new Status("DEGRADED", "Redis unreachable: rate limits are per replica");

	private final TokenRateLimiter limiter;

	RateLimitHealthIndicator(TokenRateLimiter limiter) {
		this.limiter = limiter;
	}

	@Override
	public Health health() {
		if (this.limiter.isDegraded()) {
			return Health.status(DEGRADED)
				.withDetail("mode", "per-replica")
				.withDetail("reason", this.limiter.degradedReason())
				.build();
		}
		return Health.up().withDetail("mode", "shared").build();
	}

}
