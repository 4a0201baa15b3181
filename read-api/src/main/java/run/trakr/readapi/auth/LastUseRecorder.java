package run.trakr.readapi.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BinaryOperator;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import run.trakr.readapi.auth.TokenQueries.StoredToken;
import run.trakr.readapi.auth.TokenQueries.TokenKey;

/**
 * Keeps {@code last_used_at} current to within a minute without a write per request: a
 * use is noted in memory only when the newest value known here (stored, or written by
 * this replica) is older than {@link #STALE_AFTER}, and noted uses are written in one
 * batch every few seconds, off the request path.
 */
@Component
class LastUseRecorder {

	static final Duration STALE_AFTER = Duration.ofSeconds(45);

	private static final Logger log = LoggerFactory.getLogger(LastUseRecorder.class);

	private static final BinaryOperator<OffsetDateTime> LATEST = (a, b) -> a.isAfter(b) ? a : b;

	private final Map<TokenKey, OffsetDateTime> pending = new ConcurrentHashMap<>();

	private final Map<TokenKey, OffsetDateTime> written = new ConcurrentHashMap<>();

	private final TokenQueries tokens;

	private final Clock clock;

	LastUseRecorder(TokenQueries tokens, Clock clock) {
		this.tokens = tokens;
		this.clock = clock;
	}

	// Called on every request: compares instants, allocates an OffsetDateTime only when a
	// write is due.
	void used(StoredToken token) {
		Instant now = this.clock.instant();
		TokenKey key = new TokenKey(token.orgId(), token.tokenId());
		OffsetDateTime known = this.written.get(key);
		if (token.lastUsedAt() != null && (known == null || token.lastUsedAt().isAfter(known))) {
			known = token.lastUsedAt();
		}
		if (known == null || known.toInstant().isBefore(now.minus(STALE_AFTER))) {
			this.pending.merge(key, OffsetDateTime.ofInstant(now, ZoneOffset.UTC), LATEST);
		}
	}

	@Scheduled(fixedDelayString = "${trakr.auth.last-use-flush-interval:5s}")
	void flush() {
		Map<TokenKey, OffsetDateTime> batch = new HashMap<>();
		for (TokenKey key : this.pending.keySet()) {
			OffsetDateTime usedAt = this.pending.remove(key);
			if (usedAt != null) {
				batch.put(key, usedAt);
			}
		}
		if (!batch.isEmpty()) {
			try {
				this.tokens.recordLastUse(batch);
				batch.forEach((key, usedAt) -> this.written.merge(key, usedAt, LATEST));
			}
			catch (RuntimeException ex) {
				// Keep them for the next flush; a late last_used_at beats a lost one.
				batch.forEach((key, usedAt) -> this.pending.merge(key, usedAt, LATEST));
				log.warn("Could not record token use yet: {}", ex.getClass().getSimpleName());
			}
		}
		OffsetDateTime forgetBefore = OffsetDateTime.now(this.clock).minus(STALE_AFTER);
		this.written.values().removeIf(writtenAt -> writtenAt.isBefore(forgetBefore));
	}

	@PreDestroy
	void flushOnShutdown() {
		flush();
	}

}
