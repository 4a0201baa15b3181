package run.trakr.readapi.auth;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.springframework.scheduling.annotation.Scheduled;

import run.trakr.readapi.auth.TokenQueries.StoredToken;
import run.trakr.readapi.ratelimit.SharedRevocations;

/**
 * Finds a token by its hash, from this replica's cache when it may: a cached lookup is at
 * most {@link SharedRevocations#MAX_TOKEN_CACHE_AGE} old, and revocations within that
 * time are caught by the revocation mark the rate-limit script checks on every request.
 * Unknown tokens are never cached, so random guesses cannot fill the cache.
 */
class TokenResolver {

	/**
	 * A lookup, and whether it came from the cache (and so may miss a revocation Redis
	 * did not see).
	 */
	record Resolved(StoredToken token, boolean cached) {
	}

	private record Entry(StoredToken token, long loadedAt) {
	}

	private final TokenQueries tokens;

	private final LongSupplier nanoClock;

	private final long maxAgeNanos = SharedRevocations.MAX_TOKEN_CACHE_AGE.toNanos();

	private final Map<String, Entry> cache = new ConcurrentHashMap<>();

	TokenResolver(TokenQueries tokens, LongSupplier nanoClock) {
		this.tokens = tokens;
		this.nanoClock = nanoClock;
	}

	Optional<Resolved> resolve(String tokenHash) {
		Entry entry = this.cache.get(tokenHash);
		if (entry != null && this.nanoClock.getAsLong() - entry.loadedAt() < this.maxAgeNanos) {
			return Optional.of(new Resolved(entry.token(), true));
		}
		return load(tokenHash).map(token -> new Resolved(token, false));
	}

	/** Straight from the database, refreshing the cache. */
	Optional<StoredToken> load(String tokenHash) {
		long loadedAt = this.nanoClock.getAsLong();
		Optional<StoredToken> token = this.tokens.findByHash(tokenHash);
		token.filter(found -> found.revokedAt() == null)
			.ifPresentOrElse(found -> this.cache.put(tokenHash, new Entry(found, loadedAt)),
					() -> this.cache.remove(tokenHash));
		return token;
	}

	/**
	 * Forgets every lookup: when revocation marks may have been missed (Redis was away).
	 */
	void clear() {
		this.cache.clear();
	}

	void evict(String tokenHash) {
		this.cache.remove(tokenHash);
	}

	@Scheduled(fixedDelay = 60_000)
	void dropExpired() {
		long now = this.nanoClock.getAsLong();
		this.cache.values().removeIf(entry -> now - entry.loadedAt() >= this.maxAgeNanos);
	}

}
