package run.trakr.schema.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.jooq.DSLContext;
import org.jooq.Field;

import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;

/**
 * Each org's raw days ({@link Horizons#RAW_DAYS}), read from the database and kept for
 * {@link #TTL}: a change made with {@code trakr-admin} reaches the projector's new rows
 * and the read API's answers within that. Empty for an org not registered here: it has no
 * horizon, and its rows never expire. The projector and the read API each hold one.
 */
public final class RawDaysCache {

	public static final Duration TTL = Duration.ofSeconds(30);

	private record Known(OptionalInt rawDays, Instant readAt) {
	}

	private final DSLContext db;

	private final Clock clock;

	private final Map<UUID, Known> known = new ConcurrentHashMap<>();

	public RawDaysCache(DSLContext db, Clock clock) {
		this.db = db;
		this.clock = clock;
	}

	/**
	 * The raw days of each org; the stale ones (not known, or read more than {@link #TTL}
	 * ago) are read in one statement, after {@code beforeReading} is given them.
	 */
	public Map<UUID, OptionalInt> rawDays(Collection<UUID> orgs, Consumer<Set<UUID>> beforeReading) {
		Instant now = this.clock.instant();
		Set<UUID> stale = orgs.stream().filter((org) -> !fresh(this.known.get(org), now)).collect(Collectors.toSet());
		if (!stale.isEmpty()) {
			beforeReading.accept(stale);
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

	/** The raw days of one org: a read of the cache while they are fresh. */
	public OptionalInt rawDays(UUID org) {
		Known entry = this.known.get(org);
		if (fresh(entry, this.clock.instant())) {
			return entry.rawDays();
		}
		return rawDays(List.of(org), (stale) -> {
		}).get(org);
	}

	private static boolean fresh(Known entry, Instant now) {
		return entry != null && !entry.readAt().plus(TTL).isBefore(now);
	}

}
