package run.trakr.projector.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

import org.springframework.stereotype.Component;

import run.trakr.schema.retention.Horizons;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;
import static run.trakr.schema.jooq.Tables.RETENTION_PLANS;

/**
 * Each org's raw horizon in days (its override, else its plan's default), read from the
 * database and kept for {@link #TTL}: a change made with {@code trakr-admin} reaches new
 * rows within that. An org not registered here has no horizon: its rows never expire.
 */
@Component
public class RetentionHorizons {

	static final Duration TTL = Duration.ofSeconds(30);

	private record Known(OptionalInt rawDays, Instant readAt) {
	}

	private final DSLContext db;

	private final Clock clock;

	private final Map<UUID, Known> known = new ConcurrentHashMap<>();

	RetentionHorizons(DSLContext db, Clock clock) {
		this.db = db;
		this.clock = clock;
	}

	/** The raw days of each org, empty for an org without a horizon. */
	public Map<UUID, OptionalInt> rawDays(Collection<UUID> orgs) {
		Instant now = this.clock.instant();
		Set<UUID> stale = orgs.stream().filter(org -> {
			Known entry = this.known.get(org);
			return entry == null || entry.readAt().plus(TTL).isBefore(now);
		}).collect(Collectors.toSet());
		if (!stale.isEmpty()) {
			widen(stale);
			Field<Integer> rawDays = Horizons.RAW_DAYS.as("raw_days");
			Map<UUID, Integer> read = this.db.select(ORGANIZATIONS.ORG_ID, rawDays)
				.from(Horizons.ORGS_WITH_PLANS)
				.where(ORGANIZATIONS.ORG_ID.in(stale))
				.fetchMap(ORGANIZATIONS.ORG_ID, rawDays);
			for (UUID org : stale) {
				Integer days = read.get(org);
				this.known.put(org, new Known((days != null) ? OptionalInt.of(days) : OptionalInt.empty(), now));
			}
		}
		Map<UUID, OptionalInt> days = new HashMap<>();
		for (UUID org : orgs) {
			days.put(org, this.known.get(org).rawDays());
		}
		return days;
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
