package run.trakr.projector.rollup;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

import run.trakr.schema.rollup.BucketLevel;

import run.trakr.schema.retention.Horizons;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * What to check: one org or all, and whole UTC days from {@code from} to {@code to}
 * (widened to day boundaries, so every bucket checked has all its runs in scope).
 */
public record RollupScope(UUID org, Instant from, Instant to) {

	public static final RollupScope EVERYTHING = new RollupScope(null, null, null);

	public static RollupScope of(UUID org, Instant from, Instant to) {
		return new RollupScope(org, (from != null) ? BucketLevel.DAY.startOf(from) : null,
				(to != null) ? BucketLevel.DAY.startOf(to.minusNanos(1)).plus(BucketLevel.DAY.width()) : null);
	}

	/**
	 * Runs in scope that are still retained on {@code today}, from the same first day as
	 * the buckets checked: an expired run's rows go while its rollups stay, so it cannot
	 * be checked, and a run kept under a longer horizon than its org's today falls in
	 * buckets whose 5-minute level has gone.
	 */
	Condition runs(LocalDate today) {
		Condition condition = RUNS.STARTED_AT.isNotNull()
			.and(RUNS.EXPIRES_ON.gt(today))
			.and(retained(RUNS.ORG_ID, RUNS.STARTED_AT, today));
		condition = (this.org != null) ? condition.and(RUNS.ORG_ID.eq(this.org)) : condition;
		condition = (this.from != null) ? condition.and(RUNS.STARTED_AT.ge(utc(this.from))) : condition;
		return (this.to != null) ? condition.and(RUNS.STARTED_AT.lt(utc(this.to))) : condition;
	}

	/** Buckets in scope from the first retained day of their org on {@code today}. */
	Condition workflowRollups(LocalDate today) {
		Condition condition = retained(WORKFLOW_ROLLUPS.ORG_ID, WORKFLOW_ROLLUPS.BUCKET_START, today);
		condition = (this.org != null) ? condition.and(WORKFLOW_ROLLUPS.ORG_ID.eq(this.org)) : condition;
		condition = (this.from != null) ? condition.and(WORKFLOW_ROLLUPS.BUCKET_START.ge(utc(this.from))) : condition;
		return (this.to != null) ? condition.and(WORKFLOW_ROLLUPS.BUCKET_START.lt(utc(this.to))) : condition;
	}

	Condition toolRollups(LocalDate today) {
		Condition condition = retained(TOOL_ROLLUPS.ORG_ID, TOOL_ROLLUPS.BUCKET_START, today);
		condition = (this.org != null) ? condition.and(TOOL_ROLLUPS.ORG_ID.eq(this.org)) : condition;
		condition = (this.from != null) ? condition.and(TOOL_ROLLUPS.BUCKET_START.ge(utc(this.from))) : condition;
		return (this.to != null) ? condition.and(TOOL_ROLLUPS.BUCKET_START.lt(utc(this.to))) : condition;
	}

	@Override
	public String toString() {
		return ((this.org != null) ? "org " + this.org : "every org") + ", "
				+ ((this.from != null) ? "from " + this.from : "from the first run") + " "
				+ ((this.to != null) ? "to " + this.to : "to the last");
	}

	/**
	 * Whether {@code at} is on or after the first UTC day from which the org keeps every
	 * raw row on {@code today} (always, for an org without horizon): today minus the
	 * shorter of its horizon now (before it, its 5-minute rollups are gone) and the
	 * shortest it ever wrote runs under (before that, some runs have expired). Written as
	 * "no org says it is before", which PostgreSQL runs as one anti-join: as a subquery
	 * per row it took 9.9 s over 3 M runs instead of 0.55 s (BENCHMARKS.md), while
	 * {@code verify} holds every partition's offset lock.
	 */
	private static Condition retained(Field<UUID> org, Field<OffsetDateTime> at, LocalDate today) {
		Field<Integer> rawDays = DSL.least(Horizons.RAW_DAYS,
				DSL.coalesce(ORGANIZATIONS.RAW_DAYS_MIN, Horizons.RAW_DAYS));
		return DSL.notExists(DSL.selectOne()
			.from(Horizons.ORGS_WITH_PLANS)
			.where(ORGANIZATIONS.ORG_ID.eq(org))
			.and(at.lt(DSL.field("({0} - {1})::timestamp AT TIME ZONE 'UTC'", OffsetDateTime.class, DSL.val(today),
					rawDays))));
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

}
