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

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
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

	private final RedisClient client;

	private final String script;

	private final String scriptSha;

	private final String[] limitArgs;

	private final Duration window;

	private final int limit;

	private volatile StatefulRedisConnection<String, String> connection;

	RedisSlidingWindow(RateLimitProperties properties) {
		RedisURI uri = RedisURI.create(properties.redisUrl());
		uri.setTimeout(properties.redisTimeout());
		this.client = RedisClient.create(uri);
		this.client.setOptions(ClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled(properties.redisTimeout()))
			.socketOptions(SocketOptions.builder().connectTimeout(properties.redisTimeout()).build())
			.build());
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
		StatefulRedisConnection<String, String> current = this.connection;
		if (current == null || !current.isOpen()) {
			throw new RedisUnavailable();
		}
		String[] keys = { SharedRevocations.windowKey(tokenId), SharedRevocations.markKey(tokenId) };
		List<Long> reply;
		try {
			reply = current.sync().evalsha(this.scriptSha, ScriptOutputType.MULTI, keys, this.limitArgs);
		}
		catch (RedisNoScriptException ex) {
			// Redis restarted and lost its script cache: EVAL loads it again.
			reply = current.sync().eval(this.script, ScriptOutputType.MULTI, keys, this.limitArgs);
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
		StatefulRedisConnection<String, String> current = this.connection;
		return current != null && current.isOpen();
	}

	/**
	 * Whether Redis answers a {@code PING} within the timeout. A connection Lettuce has
	 * not yet reconnected (its back-off grows to 30 s) is replaced by a new one, so that
	 * the answer is about Redis, not about the back-off.
	 */
	boolean answers() {
		StatefulRedisConnection<String, String> current = this.connection;
		if (current != null && !current.isOpen()) {
			this.connection = null;
			current.closeAsync();
			connectIfNeeded();
			current = this.connection;
		}
		if (current == null) {
			return false;
		}
		try {
			return "PONG".equals(current.sync().ping());
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Opens the connection if there is none yet; Lettuce reconnects an opened one by
	 * itself. Called on a schedule, never from a request.
	 */
	void connectIfNeeded() {
		if (this.connection != null) {
			return;
		}
		try {
			StatefulRedisConnection<String, String> opened = this.client.connect();
			opened.sync().scriptLoad(this.script);
			this.connection = opened;
			log.info("Rate limiter connected to Redis");
		}
		catch (RuntimeException ex) {
			log.debug("Redis not reachable yet: {}", ex.getMessage());
		}
	}

	@Override
	public void close() {
		StatefulRedisConnection<String, String> current = this.connection;
		if (current != null) {
			current.close();
		}
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
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
