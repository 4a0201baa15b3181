package run.trakr.readapi.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import run.trakr.readapi.auth.TokenQueries.TokenKey;

/**
 * Keeps {@code last_used_at} current to within a minute without a write per request: a
 * use is noted in memory only when the stored value is older than {@link #STALE_AFTER},
 * and noted uses are written in one batch every few seconds, off the request path.
 */
@Component
class LastUseRecorder {

	static final Duration STALE_AFTER = Duration.ofSeconds(45);

	private static final Logger log = LoggerFactory.getLogger(LastUseRecorder.class);

	private final Map<TokenKey, OffsetDateTime> pending = new ConcurrentHashMap<>();

	private final TokenQueries tokens;

	private final Clock clock;

	LastUseRecorder(TokenQueries tokens, Clock clock) {
		this.tokens = tokens;
		this.clock = clock;
	}

	void used(TokenQueries.StoredToken token) {
		OffsetDateTime now = OffsetDateTime.now(this.clock).withOffsetSameInstant(ZoneOffset.UTC);
		if (token.lastUsedAt() == null || token.lastUsedAt().isBefore(now.minus(STALE_AFTER))) {
			this.pending.merge(new TokenKey(token.orgId(), token.tokenId()), now, (a, b) -> a.isAfter(b) ? a : b);
		}
	}

	@Scheduled(fixedDelayString = "${trakr.auth.last-use-flush-interval:5s}")
	void flush() {
		if (this.pending.isEmpty()) {
			return;
		}
		Map<TokenKey, OffsetDateTime> batch = new HashMap<>();
		for (TokenKey key : this.pending.keySet()) {
			OffsetDateTime usedAt = this.pending.remove(key);
			if (usedAt != null) {
				batch.put(key, usedAt);
			}
		}
		try {
			this.tokens.recordLastUse(batch);
		}
		catch (RuntimeException ex) {
			// Keep them for the next flush; a late last_used_at beats a lost one.
			batch.forEach((key, usedAt) -> this.pending.merge(key, usedAt, (a, b) -> a.isAfter(b) ? a : b));
			log.warn("Could not record token use yet: {}", ex.getClass().getSimpleName());
		}
	}

	@PreDestroy
	void flushOnShutdown() {
		flush();
	}

}
