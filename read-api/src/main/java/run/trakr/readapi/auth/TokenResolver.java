package run.trakr.readapi.auth;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

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
 */
class TokenResolver {

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

	/** Hashes no token has, each with nothing of interest: presence is the answer. */
	private final Cache<String, Boolean> unknown;

	private final Counter lookups;

	TokenResolver(TokenQueries tokens, LongSupplier nanoClock, MeterRegistry meters) {
		this.tokens = tokens;
		// Evictions run on the calling thread: no background work, and a test's clock
		// decides alone what has expired.
		this.cache = Caffeine.newBuilder()
			.ticker(nanoClock::getAsLong)
			.executor(Runnable::run)
			.expireAfterWrite(SharedRevocations.MAX_TOKEN_CACHE_AGE)
			.maximumSize(MAX_KNOWN)
			.build();
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
