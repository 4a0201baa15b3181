package run.trakr.schema.retention;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/**
 * When a run's raw rows expire: {@code expires_on}, the first UTC day on which the run is
 * past its org's horizon, and the weekly partition that holds it (V10 migration; the
 * migration computes the same in SQL).
 */
public final class Expiry {

	/**
	 * The expiry of a run whose start is not known yet, or whose org has no horizon: the
	 * {@code *_expire_never} partition.
	 */
	public static final LocalDate NEVER = LocalDate.of(9999, 12, 31);

	private Expiry() {
	}

	/**
	 * The day a run started at {@code startedAt} expires under a horizon of
	 * {@code rawDays} days: the day after its start day plus the horizon, so that no run
	 * is removed before it is {@code rawDays} days old.
	 */
	public static LocalDate of(Instant startedAt, int rawDays) {
		return startedAt.atOffset(ZoneOffset.UTC).toLocalDate().plusDays(rawDays + 1L);
	}

	/**
	 * Whether rows expiring on {@code expiresOn} are past their horizon on {@code today}.
	 */
	public static boolean expired(LocalDate expiresOn, LocalDate today) {
		return !expiresOn.isAfter(today);
	}

	/** The Monday that starts the week (and the partition) holding {@code expiresOn}. */
	public static LocalDate partitionWeek(LocalDate expiresOn) {
		return expiresOn.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
	}

	/**
	 * The start of the first day of raw data an org keeps on {@code today}: runs that
	 * started before it have expired ({@link #of} is after today exactly for the others).
	 */
	public static Instant horizon(LocalDate today, int rawDays) {
		return today.minusDays(rawDays).atStartOfDay(ZoneOffset.UTC).toInstant();
	}

}
