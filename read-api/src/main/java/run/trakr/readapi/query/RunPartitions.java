package run.trakr.readapi.query;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record2;
import org.jooq.impl.DSL;

import run.trakr.schema.retention.Expiry;
import run.trakr.schema.rollup.WindowCover.Interval;

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

	private static final Condition NEVER = RUNS.EXPIRES_ON.eq(Expiry.NEVER);

	/** The last day before "never": hostile windows reach year 9999. */
	private static final LocalDate LAST = Expiry.NEVER.minusDays(1);

	private RunPartitions() {
	}

	/** The condition on {@code runs.expires_on}, read in the caller's transaction. */
	public static Condition startedBetween(DSLContext db, UUID orgId, Instant from, Instant to) {
		return startedWithin(db, orgId, List.of(new Interval(from, to)), RUNS.EXPIRES_ON);
	}

	/**
	 * The condition on each {@code expires_on} column given (of runs, and of the calls or
	 * tool uses joined to them) for runs started in any of the intervals: one range of
	 * weeks each, so two edges a month apart read two weeks, not the five between. Naming
	 * the joined table's partitions too lets the planner drop the others before it plans
	 * them (planning every week's partitions cost more than the query).
	 */
	@SafeVarargs
	public static Condition startedWithin(DSLContext db, UUID orgId, List<Interval> intervals,
			Field<LocalDate>... expiresOn) {
		Record2<Integer, Integer> days = horizons(db, orgId);
		List<Condition> each = new ArrayList<>();
		for (Field<LocalDate> column : expiresOn) {
			List<Condition> ranges = new ArrayList<>();
			ranges.add(column.eq(Expiry.NEVER));
			if (days != null) {
				for (Interval interval : intervals) {
					ranges.add(column.between(belowNever(Expiry.of(interval.from(), days.value1())),
							belowNever(Expiry.of(interval.until(), days.value2()))));
				}
			}
			each.add(DSL.or(ranges));
		}
		return DSL.and(each);
	}

	/** The org's shortest and longest raw horizon ever used; null when it has none. */
	private static Record2<Integer, Integer> horizons(DSLContext db, UUID orgId) {
		Record2<Integer, Integer> days = db.select(ORGANIZATIONS.RAW_DAYS_MIN, ORGANIZATIONS.RAW_DAYS_MAX)
			.from(ORGANIZATIONS)
			.where(ORGANIZATIONS.ORG_ID.eq(orgId))
			.fetchOne();
		return (days == null || days.value1() == null || days.value2() == null) ? null : days;
	}

	private static LocalDate belowNever(LocalDate day) {
		return day.isAfter(LAST) ? LAST : day;
	}

}
