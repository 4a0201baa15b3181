package run.trakr.readapi.ratelimit;

import java.time.Duration;
import java.util.UUID;

import io.lettuce.core.SetArgs;

/**
 * Revocation marks in Redis. Replicas cache token lookups for
 * {@link #MAX_TOKEN_CACHE_AGE}; the rate-limit script, which runs on every request,
 * refuses a token with a mark. A mark outlives every cached copy of its token, after
 * which the database's {@code revoked_at} speaks alone.
 */
public final class SharedRevocations {

	/** How long a replica may trust a cached token lookup. */
	public static final Duration MAX_TOKEN_CACHE_AGE = Duration.ofSeconds(60);

	static final Duration MARK_LIFETIME = MAX_TOKEN_CACHE_AGE.multipliedBy(2);

	private SharedRevocations() {
	}

	/**
	 * A token's keys share the hash tag {@code {<token id>}}: one cluster slot, so the
	 * rate-limit script may touch both.
	 */
	static String markKey(String tokenId) {
		return "trakr:{" + tokenId + "}:revoked";
	}

	static String windowKey(String tokenId) {
		return "trakr:{" + tokenId + "}:rl";
	}

	/**
	 * Marks a token revoked for every replica; throws if Redis does not answer within the
	 * timeout.
	 */
	public static void mark(SharedRedis.Endpoint endpoint, UUID tokenId, Duration timeout) {
		try (SharedRedis redis = SharedRedis.create(endpoint, timeout)) {
			SharedRedis.Link link = redis.connect();
			try {
				link.commands().set(markKey(tokenId.toString()), "1", SetArgs.Builder.ex(MARK_LIFETIME));
			}
			finally {
				link.connection().close();
			}
		}
	}

}
