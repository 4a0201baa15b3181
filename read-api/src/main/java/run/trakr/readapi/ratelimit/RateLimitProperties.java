package run.trakr.readapi.ratelimit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code trakr.rate-limit.*}: the per-token quota and how the limiter reaches Redis.
 *
 * @param limit accepted requests per token in any rolling window
 * @param window the window
 * @param redisUrl where the shared counters live
 * @param redisTimeout how long a request may wait on Redis before the local limiter
 * decides
 * @param reconnectInterval how often to try to connect while Redis is unreachable
 * @param concurrentRequestsPerOrg requests of one org that may run at once on a replica
 * @param concurrentExpensiveRequestsPerOrg of those, how many may be ones whose cost
 * grows with the org's run rows (cost-filtered counts, minute series)
 * @param concurrencyWait how long a request past that waits for a turn before its 429
 */
@ConfigurationProperties("trakr.rate-limit")
public record RateLimitProperties(@DefaultValue("300") int limit, @DefaultValue("60s") Duration window,
		@DefaultValue("redis://localhost:6379") String redisUrl, @DefaultValue("500ms") Duration redisTimeout,
		@DefaultValue("1s") Duration reconnectInterval, @DefaultValue("6") int concurrentRequestsPerOrg,
		@DefaultValue("1") int concurrentExpensiveRequestsPerOrg, @DefaultValue("2s") Duration concurrencyWait) {
}
