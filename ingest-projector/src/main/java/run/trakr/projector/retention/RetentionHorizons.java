package run.trakr.projector.retention;

import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

import org.springframework.stereotype.Component;

import run.trakr.schema.retention.Horizons;
import run.trakr.schema.retention.RawDaysCache;

import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;
import static run.trakr.schema.jooq.Tables.RETENTION_PLANS;

/**
 * Each org's raw horizon in days, as {@link RawDaysCache} keeps it, recorded in the org's
 * row before new rows are written under it. An org not registered here has no horizon:
 * its rows never expire.
 */
@Component
public class RetentionHorizons {

	private final DSLContext db;

	private final RawDaysCache cache;

	RetentionHorizons(DSLContext db, Clock clock) {
		this.db = db;
		this.cache = new RawDaysCache(db, clock);
	}

	/** The raw days of each org, empty for an org without a horizon. */
	public Map<UUID, OptionalInt> rawDays(Collection<UUID> orgs) {
		// Widened for exactly the orgs whose days are read again, before they are.
		return this.cache.rawDays(orgs, this::widen);
	}

	/**
	 * Records each org's current horizon in its {@code raw_days_min}/{@code _max}, when
	 * outside them, in the batch's transaction: the runs about to be written under it are
	 * then never outside the partitions the read API searches. Writes only on a change.
	 */
	private void widen(Set<UUID> orgs) {
		Field<Integer> current = Horizons.RAW_DAYS;
		this.db.update(ORGANIZATIONS)
			.set(ORGANIZATIONS.RAW_DAYS_MIN, DSL.least(DSL.coalesce(ORGANIZATIONS.RAW_DAYS_MIN, current), current))
			.set(ORGANIZATIONS.RAW_DAYS_MAX, DSL.greatest(DSL.coalesce(ORGANIZATIONS.RAW_DAYS_MAX, current), current))
			.from(RETENTION_PLANS)
			.where(RETENTION_PLANS.PLAN.eq(ORGANIZATIONS.PLAN))
			.and(ORGANIZATIONS.ORG_ID.in(orgs))
			.and(ORGANIZATIONS.RAW_DAYS_MIN.isNull()
				.or(ORGANIZATIONS.RAW_DAYS_MIN.gt(current))
				.or(ORGANIZATIONS.RAW_DAYS_MAX.lt(current)))
			.execute();
	}

}
