package run.trakr.projector.retention;

import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import run.trakr.schema.retention.Expiry;

import run.trakr.schema.retention.Horizons;
import static run.trakr.schema.jooq.Tables.ALERT_EVENTS;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;
import static run.trakr.schema.jooq.Tables.RETENTION_PLANS;
import static run.trakr.schema.jooq.Tables.RUN_KEYS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * Expires raw rows (docs/retention.md). On each run, by one projector instance at a time
 * (a PostgreSQL advisory lock): creates the weekly partitions ahead of the longest
 * horizon in use, detaches and drops the partitions whose week has passed (runs, calls
 * and tool uses: no DELETE), then removes in small batches what is not partitioned:
 * expired run keys, each org's 5-minute rollups and alert events older than its horizon,
 * its orphan runs (never started, every event past the horizon), and hour and day rollups
 * older than its rollup horizon. Each batch is its own transaction and skips rows a
 * projector has locked, so the job never makes a batch wait. Partitions for the coming
 * weeks are also made once at startup, before the first batch is consumed.
 */
@Component
public class RetentionJob implements InitializingBean {

	private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

	/** The advisory lock that keeps the job to one instance ("trakr retention"). */
	static final long LOCK = 0x7472616b72_7265L;

	/** The job's connection's {@code application_name} while it runs. */
	public static final String APPLICATION_NAME = "trakr-retention";

	/** What one run removed. */
	public record Removed(int partitionsCreated, int weeksDropped, long keys, long fiveMinuteRollups, long alerts,
			long oldRollups, long orphanRuns) {
	}

	private final DSLContext db;

	private final ExpiryPartitions partitions;

	private final RetentionProperties properties;

	private final Clock clock;

	private final Timer runs;

	private final Counter weeksDropped;

	private final Counter rowsDeleted;

	RetentionJob(DSLContext db, ExpiryPartitions partitions, RetentionProperties properties, Clock clock,
			MeterRegistry meters) {
		this.db = db;
		this.partitions = partitions;
		this.properties = properties;
		this.clock = clock;
		this.runs = Timer.builder("trakr.retention.runs").description("Runs of the retention job").register(meters);
		this.weeksDropped = Counter.builder("trakr.retention.partitions.dropped")
			.description("Weeks of expired runs, calls and tool uses dropped as partitions")
			.register(meters);
		this.rowsDeleted = Counter.builder("trakr.retention.rows.deleted")
			.description("Rows removed by batched DELETE (run keys, 5-minute and old rollups, alerts)")
			.register(meters);
	}

	/** The partitions for the coming weeks exist before the first batch is consumed. */
	@Override
	public void afterPropertiesSet() {
		LocalDate today = LocalDate.now(this.clock);
		this.db.connection(connection -> {
			DSLContext on = DSL.using(connection, this.db.dialect());
			this.partitions.existing(on);
			this.partitions.create(on, today, lastExpiry(on, today));
		});
	}

	@Scheduled(fixedDelayString = "${trakr.retention.interval:1h}",
			initialDelayString = "${trakr.retention.interval:1h}")
	void scheduled() {
		if (this.properties.enabled()) {
			run(LocalDate.now(this.clock));
		}
	}

	/**
	 * One run of the job as of {@code today}; null when another instance holds the lock.
	 */
	public Removed run(LocalDate today) {
		return this.runs.record(() -> this.db.connectionResult(connection -> {
			DSLContext on = DSL.using(connection, this.db.dialect());
			if (!Boolean.TRUE.equals(on.fetchValue("SELECT pg_try_advisory_lock(?)", LOCK))) {
				return null;
			}
			try {
				// Named in pg_stat_activity and pg_locks, for whoever watches its waits.
				on.execute("SET application_name = " + DSL.inline(APPLICATION_NAME));
				on.execute("SET lock_timeout = " + DSL.inline(this.properties.lockTimeout().toMillis() + "ms"));
				Removed removed = expire(on, today);
				log.info("Retention as of {}: {}", today, removed);
				return removed;
			}
			finally {
				on.execute("RESET lock_timeout");
				on.execute("RESET application_name");
				on.fetchValue("SELECT pg_advisory_unlock(?)", LOCK);
			}
		}));
	}

	private Removed expire(DSLContext on, LocalDate today) {
		int created = this.partitions.create(on, today, lastExpiry(on, today));
		int dropped = 0;
		for (LocalDate week : this.partitions.existing(on)) {
			if (!week.plusWeeks(1).isAfter(today)) {
				this.partitions.drop(on, week);
				dropped++;
			}
		}
		this.weeksDropped.increment(dropped);
		long keys = deleteInBatches(on, RUN_KEYS, RUN_KEYS.EXPIRES_ON.le(today));
		long fiveMinute = 0;
		long alerts = 0;
		long old = 0;
		long orphans = 0;
		for (Record3<UUID, Integer, Integer> org : horizons(on)) {
			OffsetDateTime raw = Expiry.horizon(today, org.value2()).atOffset(ZoneOffset.UTC);
			OffsetDateTime rollups = Expiry.horizon(today, Math.max(org.value2(), org.value3()))
				.atOffset(ZoneOffset.UTC);
			fiveMinute += deleteInBatches(on, WORKFLOW_ROLLUPS, WORKFLOW_ROLLUPS.ORG_ID.eq(org.value1()),
					WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(300), WORKFLOW_ROLLUPS.BUCKET_START.lt(raw));
			old += deleteInBatches(on, WORKFLOW_ROLLUPS, WORKFLOW_ROLLUPS.ORG_ID.eq(org.value1()),
					WORKFLOW_ROLLUPS.BUCKET_SECONDS.in(3600, 86400), WORKFLOW_ROLLUPS.BUCKET_START.lt(rollups));
			// Tool rollups are keyed by workflow after the org: one workflow at a time
			// keeps each batch an index range.
			for (String workflow : on.selectDistinct(TOOL_ROLLUPS.WORKFLOW_NAME)
				.from(TOOL_ROLLUPS)
				.where(TOOL_ROLLUPS.ORG_ID.eq(org.value1()))
				.fetch(TOOL_ROLLUPS.WORKFLOW_NAME)) {
				Condition ofWorkflow = TOOL_ROLLUPS.ORG_ID.eq(org.value1())
					.and(TOOL_ROLLUPS.WORKFLOW_NAME.eq(workflow));
				fiveMinute += deleteInBatches(on, TOOL_ROLLUPS, ofWorkflow, TOOL_ROLLUPS.BUCKET_SECONDS.eq(300),
						TOOL_ROLLUPS.BUCKET_START.lt(raw));
				old += deleteInBatches(on, TOOL_ROLLUPS, ofWorkflow, TOOL_ROLLUPS.BUCKET_SECONDS.in(3600, 86400),
						TOOL_ROLLUPS.BUCKET_START.lt(rollups));
			}
			alerts += deleteInBatches(on, ALERT_EVENTS, ALERT_EVENTS.ORG_ID.eq(org.value1()),
					ALERT_EVENTS.FIRED_AT.lt(raw));
			orphans += deleteOrphans(on, org.value1(), raw);
		}
		return new Removed(created, dropped, keys, fiveMinute, alerts, old, orphans);
	}

	/** Every registered org: its raw days and its plan's rollup days. */
	private static List<Record3<UUID, Integer, Integer>> horizons(DSLContext on) {
		return on.select(ORGANIZATIONS.ORG_ID, Horizons.RAW_DAYS, RETENTION_PLANS.ROLLUP_DAYS)
			.from(Horizons.ORGS_WITH_PLANS)
			.fetch();
	}

	/**
	 * The last expiry day a row written today can have, with some weeks to spare: the
	 * longest raw horizon of any plan or org.
	 */
	private LocalDate lastExpiry(DSLContext on, LocalDate today) {
		Integer longest = on
			.select(DSL.greatest(DSL.max(RETENTION_PLANS.RAW_DAYS),
					DSL.field(DSL.select(DSL.max(ORGANIZATIONS.RETENTION_DAYS)).from(ORGANIZATIONS))))
			.from(RETENTION_PLANS)
			.fetchOne(0, Integer.class);
		return today.plusDays(((longest != null) ? longest : 0) + 2L).plusWeeks(this.properties.weeksAhead());
	}

	/**
	 * Removes the org's orphans: runs whose {@code run_started} never came (a call, tool
	 * use or end did) and whose every event is before its horizon, with their calls, tool
	 * uses and keys. They wait in the "never" partitions, which no week's drop reaches,
	 * and count in no rollup. The projector already refuses any later event of theirs (a
	 * start comes before its calls, so it too is past the horizon). Each batch locks the
	 * keys first, as the projector does, skipping any a batch holds.
	 */
	private long deleteOrphans(DSLContext on, UUID orgId, OffsetDateTime horizon) {
		long total = 0;
		int deleted;
		do {
			deleted = on
				.fetchOne("""
						WITH picked AS (
						  SELECT k.org_id, k.run_id FROM run_keys k
						  JOIN runs_expire_never r ON r.org_id = k.org_id AND r.run_id = k.run_id
						  WHERE k.org_id = {0} AND k.expires_on = {1} AND r.started_at IS NULL
						    AND coalesce(r.ended_at, '-infinity') < {2}
						    AND NOT EXISTS (SELECT FROM llm_calls_expire_never c
						                    WHERE c.org_id = r.org_id AND c.run_id = r.run_id AND c.started_at >= {2})
						    AND NOT EXISTS (SELECT FROM tool_uses_expire_never t
						                    WHERE t.org_id = r.org_id AND t.run_id = r.run_id AND t.started_at >= {2})
						  ORDER BY k.org_id, k.run_id LIMIT {3} FOR UPDATE OF k SKIP LOCKED),
						runs AS (DELETE FROM runs_expire_never r USING picked p
						         WHERE r.org_id = p.org_id AND r.run_id = p.run_id),
						calls AS (DELETE FROM llm_calls_expire_never c USING picked p
						          WHERE c.org_id = p.org_id AND c.run_id = p.run_id),
						tools AS (DELETE FROM tool_uses_expire_never t USING picked p
						          WHERE t.org_id = p.org_id AND t.run_id = p.run_id),
						keys AS (DELETE FROM run_keys k USING picked p
						         WHERE k.org_id = p.org_id AND k.run_id = p.run_id RETURNING 1)
						SELECT count(*)::int FROM keys""", DSL.val(orgId), DSL.val(Expiry.NEVER), DSL.val(horizon),
						DSL.inline(this.properties.batchSize()))
				.get(0, Integer.class);
			total += deleted;
		}
		while (deleted == this.properties.batchSize());
		this.rowsDeleted.increment(total);
		return total;
	}

	/**
	 * Deletes the matching rows of an unpartitioned table, {@code batchSize} at a time,
	 * each batch its own transaction, skipping rows locked by a projector (a later run
	 * takes them).
	 */
	private long deleteInBatches(DSLContext on, Table<?> table, Condition... where) {
		long total = 0;
		int deleted;
		do {
			deleted = on.execute("DELETE FROM {0} WHERE ctid = ANY(ARRAY({1}))", table,
					DSL.select(DSL.field("ctid"))
						.from(table)
						.where(where)
						.limit(this.properties.batchSize())
						.forUpdate()
						.skipLocked());
			total += deleted;
		}
		while (deleted == this.properties.batchSize());
		this.rowsDeleted.increment(total);
		return total;
	}

}
