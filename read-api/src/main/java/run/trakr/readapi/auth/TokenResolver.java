package run.trakr.readapi.auth;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.scheduling.annotation.Scheduled;

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
 * remembered unknowns.
 */
class TokenResolver {

	static final Duration UNKNOWN_TOKEN_CACHE_AGE = Duration.ofSeconds(5);

	/** About 1.5 MB at most: random guesses cannot grow it further. */
	static final int MAX_UNKNOWN = 10_000;

	/**
	 * A lookup: the token, or null when no token has the hash; and whether it came from
	 * the cache (and so may miss a revocation Redis did not see).
	 */
	record Resolved(StoredToken token, boolean cached) {
	}

	private record Entry(StoredToken token, long loadedAt) {
	}

	private final TokenQueries tokens;

	private final LongSupplier nanoClock;

	private final long maxAgeNanos = SharedRevocations.MAX_TOKEN_CACHE_AGE.toNanos();

	private final long unknownAgeNanos = UNKNOWN_TOKEN_CACHE_AGE.toNanos();

	private final Map<String, Entry> cache = new ConcurrentHashMap<>();

	private final Map<String, Long> unknown = new ConcurrentHashMap<>();

	private final Counter lookups;

	TokenResolver(TokenQueries tokens, LongSupplier nanoClock, MeterRegistry meters) {
		this.tokens = tokens;
		this.nanoClock = nanoClock;
		this.lookups = Counter.builder("trakr.auth.token.lookups")
			.description("Token lookups in the database (the rest are answered from this replica's cache)")
			.register(meters);
	}

	/** What this replica knows of the hash without asking the database, if anything. */
	Optional<Resolved> cached(String tokenHash) {
		long now = this.nanoClock.getAsLong();
		Entry entry = this.cache.get(tokenHash);
		if (entry != null && now - entry.loadedAt() < this.maxAgeNanos) {
			return Optional.of(new Resolved(entry.token(), true));
		}
		Long unknownSince = this.unknown.get(tokenHash);
		if (unknownSince != null && now - unknownSince < this.unknownAgeNanos) {
			return Optional.of(new Resolved(null, true));
		}
		return Optional.empty();
	}

	/** Straight from the database, refreshing the cache. */
	Resolved load(String tokenHash) {
		long loadedAt = this.nanoClock.getAsLong();
		this.lookups.increment();
		Optional<StoredToken> token = this.tokens.findByHash(tokenHash);
		if (token.isPresent()) {
			this.unknown.remove(tokenHash);
			this.cache.put(tokenHash, new Entry(token.get(), loadedAt));
			return new Resolved(token.get(), false);
		}
		this.cache.remove(tokenHash);
		if (this.unknown.size() >= MAX_UNKNOWN) {
			// Only a flood of random tokens fills it; they would not repeat anyway.
			this.unknown.clear();
		}
		this.unknown.put(tokenHash, loadedAt);
		return new Resolved(null, false);
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

	@Scheduled(fixedDelay = 5_000)
	void dropExpired() {
		long now = this.nanoClock.getAsLong();
		this.cache.values().removeIf(entry -> now - entry.loadedAt() >= this.maxAgeNanos);
		this.unknown.values().removeIf(since -> now - since >= this.unknownAgeNanos);
	}

}
