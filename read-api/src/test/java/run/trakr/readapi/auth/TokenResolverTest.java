package run.trakr.readapi.auth;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import run.trakr.readapi.auth.TokenQueries.StoredToken;
import run.trakr.readapi.auth.TokenResolver.Resolved;
import run.trakr.readapi.ratelimit.SharedRevocations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The token cache's policy on a clock of the test's: a token in use is re-read in the
 * background before it expires, and never answered from a lookup older than the maximum
 * age, whatever the refresh does.
 */
class TokenResolverTest {

	private static final String HASH = "a-token-hash";

	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	private final AtomicInteger lookups = new AtomicInteger();

	private final AtomicReference<Object> stored = new AtomicReference<>(token(null));

	/** The database's answer: a token, or an exception to throw. */
	private final TokenQueries database = new TokenQueries(null) {
		@Override
		Optional<StoredToken> findByHash(String tokenHash) {
			TokenResolverTest.this.lookups.incrementAndGet();
			if (TokenResolverTest.this.stored.get() instanceof RuntimeException failure) {
				throw failure;
			}
			return Optional.ofNullable((StoredToken) TokenResolverTest.this.stored.get());
		}
	};

	@Test
	void aTokenInUseIsReadAgainInTheBackgroundBeforeItExpires() {
		try (TokenResolver resolver = new TokenResolver(this.database, this.nanos::get, new SimpleMeterRegistry())) {
			assertThat(resolver.load(HASH).token().revokedAt()).isNull();
			advance(TokenResolver.REFRESH_AFTER.minusSeconds(1));
			assertThat(resolver.cached(HASH)).isPresent();
			assertThat(this.lookups).hasValue(1);

			OffsetDateTime revoked = OffsetDateTime.of(2026, 12, 2, 11, 0, 0, 0, ZoneOffset.UTC);
			this.stored.set(token(revoked));
			advance(Duration.ofSeconds(2));
			// The request is answered at once from the cache; the re-read follows.
			assertThat(resolver.cached(HASH).orElseThrow().token().revokedAt()).isNull();
			await().atMost(Duration.ofSeconds(5))
				.until(() -> resolver.cached(HASH).map(Resolved::token).map(StoredToken::revokedAt),
						(seen) -> seen.isPresent() && seen.get().isEqual(revoked));
			assertThat(this.lookups).hasValue(2);

			// Re-read, the entry is young again: it outlives the first lookup's expiry.
			advance(SharedRevocations.MAX_TOKEN_CACHE_AGE.minus(TokenResolver.REFRESH_AFTER));
			assertThat(resolver.cached(HASH)).isPresent();
		}
	}

	@Test
	void aFailedRefreshLeavesTheEntryToExpireAtItsMaximumAge() {
		try (TokenResolver resolver = new TokenResolver(this.database, this.nanos::get, new SimpleMeterRegistry())) {
			resolver.load(HASH);
			this.stored.set(new IllegalStateException("database away"));
			advance(TokenResolver.REFRESH_AFTER.plusSeconds(1));
			assertThat(resolver.cached(HASH)).isPresent();
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(this.lookups).hasValue(2));

			advance(SharedRevocations.MAX_TOKEN_CACHE_AGE.minus(TokenResolver.REFRESH_AFTER));
			assertThat(resolver.cached(HASH)).isEmpty();
		}
	}

	private void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

	private static StoredToken token(OffsetDateTime revokedAt) {
		return new StoredToken(UUID.fromString("00000000-0000-0000-0000-000000000001"),
				UUID.fromString("00000000-0000-0000-0000-000000000002"), Plan.SCALE, null, revokedAt);
	}

}
