package run.trakr.readapi.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared sliding window: one {@code EVALSHA} per request against Redis, with Redis's
 * clock. Never waits for Redis longer than the configured timeout: while disconnected,
 * commands are rejected at once instead of queued, and connecting happens off the request
 * path ({@link #connectIfNeeded()}).
 */
class RedisSlidingWindow implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(RedisSlidingWindow.class);

	private final SharedRedis redis;

	private final String script;

	private final String scriptSha;

	private final String[] limitArgs;

	private final Duration window;

	private final int limit;

	private static final int PROBES_BEFORE_NEW_CONNECTION = 5;

	private volatile SharedRedis.Link link;

	/** Probes run on one scheduler thread; the health endpoint reads the reason. */
	private int failedProbes;

	private volatile String lastProbeFailure;

	RedisSlidingWindow(RateLimitProperties properties, SharedRedis.Endpoint endpoint) {
		this.redis = SharedRedis.create(endpoint, properties.redisTimeout());
		this.script = loadScript();
		this.scriptSha = sha1Hex(this.script);
		this.limit = properties.limit();
		this.window = properties.window();
		this.limitArgs = new String[] { Integer.toString(properties.limit()),
				Long.toString(properties.window().toNanos() / 1000) };
	}

	/**
	 * Counts one request of the token, unless it carries a revocation mark; throws a
	 * Lettuce exception when Redis does not answer in time.
	 */
	RateLimitDecision tryAcquire(String tokenId) {
		SharedRedis.Link current = this.link;
		if (current == null || !current.connection().isOpen()) {
			throw new RedisUnavailable();
		}
		// One hash slot for both (a cluster runs a script on one node only).
		String[] keys = { SharedRevocations.windowKey(tokenId), SharedRevocations.markKey(tokenId) };
		List<Long> reply;
		try {
			reply = current.commands().evalsha(this.scriptSha, ScriptOutputType.MULTI, keys, this.limitArgs);
		}
		catch (RedisNoScriptException ex) {
			// A restarted or promoted node lacks the script: EVAL loads it there.
			reply = current.commands().eval(this.script, ScriptOutputType.MULTI, keys, this.limitArgs);
		}
		RateLimitDecision.Outcome outcome = switch (reply.get(0).intValue()) {
			case 1 -> RateLimitDecision.Outcome.ACCEPTED;
			case -1 -> RateLimitDecision.Outcome.REVOKED;
			default -> RateLimitDecision.Outcome.REFUSED;
		};
		return new RateLimitDecision(outcome, true, this.limit, this.window, reply.get(1).intValue(),
				Duration.ofNanos(reply.get(2) * 1000));
	}

	boolean isConnected() {
		SharedRedis.Link current = this.link;
		return current != null && current.connection().isOpen();
	}

	/**
	 * Whether Redis answers within the timeout (see {@link SharedRedis#probe}). A
	 * connection Lettuce has not yet reconnected (its back-off grows to 30 s) is replaced
	 * by a new one, and so is an open one that failed
	 * {@value #PROBES_BEFORE_NEW_CONNECTION} probes in a row (a cluster client's default
	 * connection or topology can stay on a node that went away), so that the answer is
	 * about Redis, not about the client's state.
	 */
	boolean answers() {
		SharedRedis.Link current = this.link;
		if (current != null && (!current.connection().isOpen() || this.failedProbes >= PROBES_BEFORE_NEW_CONNECTION)) {
			this.link = null;
			this.failedProbes = 0;
			current.connection().closeAsync();
			connectIfNeeded();
			current = this.link;
		}
		if (current == null) {
			return false;
		}
		try {
			this.redis.probe(current);
			this.failedProbes = 0;
			this.lastProbeFailure = null;
			return true;
		}
		catch (RuntimeException ex) {
			this.failedProbes++;
			this.lastProbeFailure = ex.getClass().getSimpleName() + ": " + ex.getMessage();
			return false;
		}
	}

	/** Why the last probe failed, for the health details; null after one succeeded. */
	String lastProbeFailure() {
		return this.lastProbeFailure;
	}

	/**
	 * Opens the connection if there is none yet; Lettuce reconnects an opened one by
	 * itself. Called on a schedule, never from a request.
	 */
	void connectIfNeeded() {
		if (this.link != null) {
			return;
		}
		try {
			SharedRedis.Link opened = this.redis.connect();
			opened.commands().scriptLoad(this.script);
			this.link = opened;
			log.info("Rate limiter connected to Redis ({})", this.redis.endpoint().describe());
		}
		catch (RuntimeException ex) {
			this.lastProbeFailure = "cannot connect: " + ex.getMessage();
			log.debug("Redis not reachable yet: {}", ex.getMessage());
		}
	}

	@Override
	public void close() {
		SharedRedis.Link current = this.link;
		if (current != null) {
			current.connection().close();
		}
		this.redis.close();
	}

	private static String loadScript() {
		try (InputStream in = RedisSlidingWindow.class.getResourceAsStream("sliding-window.lua")) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String sha1Hex(String text) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** No connection to Redis at the moment. */
	static final class RedisUnavailable extends RuntimeException {

		RedisUnavailable() {
			super("not connected to Redis", null, false, false);
		}

	}

}
