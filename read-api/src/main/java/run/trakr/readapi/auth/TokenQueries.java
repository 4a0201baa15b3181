package run.trakr.readapi.auth;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jooq.DSLContext;

import org.springframework.stereotype.Component;

import run.trakr.readapi.system.PrimaryDatabase;

import static run.trakr.schema.jooq.Tables.API_TOKENS;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;

/** Token lookups for the gate, and the batched {@code last_used_at} writes. */
@Component
class TokenQueries {

	/** A stored token as the gate needs it. */
	record StoredToken(UUID tokenId, UUID orgId, Plan plan, OffsetDateTime lastUsedAt, OffsetDateTime revokedAt) {
	}

	private final DSLContext db;

	TokenQueries(DSLContext db) {
		this.db = db;
	}

	/**
	 * One indexed lookup by hash, on the primary even when routes read from a replica: a
	 * token created a moment ago works at once, a revocation counts at once.
	 */
	Optional<StoredToken> findByHash(String tokenHash) {
		return PrimaryDatabase.call(() -> this.db
			.select(API_TOKENS.TOKEN_ID, API_TOKENS.ORG_ID, ORGANIZATIONS.PLAN, API_TOKENS.LAST_USED_AT,
					API_TOKENS.REVOKED_AT)
			.from(API_TOKENS)
			.join(ORGANIZATIONS)
			.on(ORGANIZATIONS.ORG_ID.eq(API_TOKENS.ORG_ID))
			.where(API_TOKENS.TOKEN_HASH.eq(tokenHash))
			.fetchOptional(r -> new StoredToken(r.value1(), r.value2(), Plan.of(r.value3()), r.value4(), r.value5())));
	}

	/** Moves {@code last_used_at} forward, never back, for each token. */
	void recordLastUse(Map<TokenKey, OffsetDateTime> lastUses) {
		if (lastUses.isEmpty()) {
			return;
		}
		PrimaryDatabase.run(() -> this.db.batched(batched -> lastUses.forEach((token, usedAt) -> batched.dsl()
			.update(API_TOKENS)
			.set(API_TOKENS.LAST_USED_AT, usedAt)
			.where(API_TOKENS.ORG_ID.eq(token.orgId()))
			.and(API_TOKENS.TOKEN_ID.eq(token.tokenId()))
			.and(API_TOKENS.LAST_USED_AT.isNull().or(API_TOKENS.LAST_USED_AT.lt(usedAt)))
			.execute())));
	}

	record TokenKey(UUID orgId, UUID tokenId) {
	}

}
