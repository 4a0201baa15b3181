package run.trakr.readapi.ratelimit;

import java.time.Duration;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;

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

	static String markKey(String tokenId) {
		return "trakr:revoked:" + tokenId;
	}

	static String windowKey(String tokenId) {
		return "trakr:rl:" + tokenId;
	}

	/**
	 * Marks a token revoked for every replica; throws if Redis does not answer within the
	 * timeout.
	 */
	public static void mark(String redisUrl, UUID tokenId, Duration timeout) {
		RedisURI uri = RedisURI.create(redisUrl);
		uri.setTimeout(timeout);
		RedisClient client = RedisClient.create(uri);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().set(markKey(tokenId.toString()), "1", SetArgs.Builder.ex(MARK_LIFETIME));
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
		}
	}

}
