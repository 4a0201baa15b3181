package run.trakr.readapi.auth;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import run.trakr.readapi.auth.TokenQueries.StoredToken;
import run.trakr.readapi.ratelimit.SharedRevocations;

/**
 * Finds a token by its hash, from this replica's cache when it may: a cached lookup is at
 * most {@link SharedRevocations#MAX_TOKEN_CACHE_AGE} old, and revocations within that
 * time are caught by the revocation mark the rate-limit script checks on every request.
 * That no token has a hash is remembered too, for {@link #UNKNOWN_TOKEN_CACHE_AGE} and at
 * most {@link #MAX_UNKNOWN} hashes, so a client repeating a deleted or mistyped token
 * costs one database lookup per interval, not one per request. A token the admin CLI
 * creates is 128 random bits no client could have sent before, so it is never among the
 * remembered unknowns. Both are Caffeine caches on the given clock; expired entries are
 * never answered and are dropped by Caffeine's own maintenance.
 *
 * <p>
 * A token in use is re-read in the background once its lookup is {@link #REFRESH_AFTER}
 * old, so it never expires under a request: without that, each token in use cost one
 * request a minute a database round trip on the request path (500 tokens at 2,000
 * requests/s: 8 a second, in the auth path's p99). The bound on a lookup's age is
 * unchanged: a refresh that fails or lags leaves the entry to expire.
 */
class TokenResolver implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(TokenResolver.class);

	/** Half the maximum age, so a refresh has the other half to land. */
	static final Duration REFRESH_AFTER = SharedRevocations.MAX_TOKEN_CACHE_AGE.dividedBy(2);

	static final Duration UNKNOWN_TOKEN_CACHE_AGE = Duration.ofSeconds(5);

	/** About 1.5 MB at most: random guesses cannot grow it further. */
	static final int MAX_UNKNOWN = 10_000;

	/** Far above any org's token count; bounds memory should tokens be minted in bulk. */
	static final int MAX_KNOWN = 100_000;

	/**
	 * A lookup: the token, or null when no token has the hash; and whether it came from
	 * the cache (and so may miss a revocation Redis did not see).
	 */
	record Resolved(StoredToken token, boolean cached) {
	}

	private final TokenQueries tokens;

	private final Cache<String, StoredToken> cache;

	/** The cache's expiry, which tells an entry's age. */
	private final Policy.FixedExpiration<String, StoredToken> expiry;

	/** Hashes no token has, each with nothing of interest: presence is the answer. */
	private final Cache<String, Boolean> unknown;

	private final Counter lookups;

	/** Hashes whose refresh is queued or running: one at a time per token. */
	private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

	private final ExecutorService refresher = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "token-refresh");
		thread.setDaemon(true);
		return thread;
	});

	TokenResolver(TokenQueries tokens, LongSupplier nanoClock, MeterRegistry meters) {
		this.tokens = tokens;
		// Caffeine's evictions run on the calling thread, so a test's clock decides alone
		// what has expired (refreshes have a thread of their own).
		this.cache = Caffeine.newBuilder()
			.ticker(nanoClock::getAsLong)
			.executor(Runnable::run)
			.expireAfterWrite(SharedRevocations.MAX_TOKEN_CACHE_AGE)
			.maximumSize(MAX_KNOWN)
			.build();
		this.expiry = this.cache.policy().expireAfterWrite().orElseThrow();
		this.unknown = Caffeine.newBuilder()
			.ticker(nanoClock::getAsLong)
			.executor(Runnable::run)
			.expireAfterWrite(UNKNOWN_TOKEN_CACHE_AGE)
			.maximumSize(MAX_UNKNOWN)
			.build();
		this.lookups = Counter.builder("trakr.auth.token.lookups")
			.description("Token lookups in the database (the rest are answered from this replica's cache)")
			.register(meters);
	}

	/** What this replica knows of the hash without asking the database, if anything. */
	Optional<Resolved> cached(String tokenHash) {
		StoredToken token = this.cache.getIfPresent(tokenHash);
		if (token != null) {
			refreshIfOld(tokenHash);
			return Optional.of(new Resolved(token, true));
		}
		if (this.unknown.getIfPresent(tokenHash) != null) {
			return Optional.of(new Resolved(null, true));
		}
		return Optional.empty();
	}

	/** Straight from the database, refreshing the cache. */
	Resolved load(String tokenHash) {
		this.lookups.increment();
		Optional<StoredToken> token = this.tokens.findByHash(tokenHash);
		if (token.isPresent()) {
			this.unknown.invalidate(tokenHash);
			this.cache.put(tokenHash, token.get());
			return new Resolved(token.get(), false);
		}
		this.cache.invalidate(tokenHash);
		this.unknown.put(tokenHash, Boolean.TRUE);
		return new Resolved(null, false);
	}

	private void refreshIfOld(String tokenHash) {
		Duration age = this.expiry.ageOf(tokenHash).orElse(Duration.ZERO);
		if (age.compareTo(REFRESH_AFTER) < 0 || !this.refreshing.add(tokenHash)) {
			return;
		}
		try {
			this.refresher.execute(() -> {
				try {
					load(tokenHash);
				}
				catch (RuntimeException ex) {
					// The entry expires in time and a request then asks the database
					// itself, answering 503 if it is still away.
					log.debug("Token refresh failed: {}", ex.getClass().getSimpleName());
				}
				finally {
					this.refreshing.remove(tokenHash);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			this.refreshing.remove(tokenHash);
		}
	}

	@Override
	public void close() {
		this.refresher.shutdownNow();
	}

	/**
	 * Forgets every lookup: when revocation marks may have been missed (Redis was away).
	 */
	void clear() {
		this.cache.invalidateAll();
	}

	void evict(String tokenHash) {
		this.cache.invalidate(tokenHash);
	}

}
