package run.trakr.readapi.query;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record2;

import run.trakr.schema.retention.Expiry;

import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;
import static run.trakr.schema.jooq.Tables.RUNS;

/**
 * The partitions of {@code runs} that can hold an org's runs started in a time range
 * (docs/retention.md). A run's expiry is its start day + one of the org's raw horizons +
 * 1, and the org records the shortest and longest it ever used ({@code raw_days_min},
 * {@code raw_days_max}, widened by the projector in the transaction that writes under a
 * new one, so a reader that sees a run also sees them); runs without expiry are in the
 * "never" partition. Without this bound a query over a time range reads an index in every
 * week's partition.
 */
public final class RunPartitions {

	private RunPartitions() {
	}

	/** The condition on {@code runs.expires_on}, read in the caller's transaction. */
	public static Condition startedBetween(DSLContext db, UUID orgId, Instant from, Instant to) {
		Condition never = RUNS.EXPIRES_ON.eq(Expiry.NEVER);
		Record2<Integer, Integer> days = db.select(ORGANIZATIONS.RAW_DAYS_MIN, ORGANIZATIONS.RAW_DAYS_MAX)
			.from(ORGANIZATIONS)
			.where(ORGANIZATIONS.ORG_ID.eq(orgId))
			.fetchOne();
		if (days == null || days.value1() == null || days.value2() == null) {
			return never;
		}
		// Hostile windows reach year 9999: keep the bounds below "never".
		LocalDate last = Expiry.NEVER.minusDays(1);
		LocalDate first = Expiry.of(from, days.value1());
		LocalDate through = Expiry.of(to, days.value2());
		return never
			.or(RUNS.EXPIRES_ON.between(first.isAfter(last) ? last : first, through.isAfter(last) ? last : through));
	}

}
