package run.trakr.readapitest.support;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import static run.trakr.schema.jooq.Tables.ROLLUP_REVISIONS;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/** Rollup rows written straight into the read models, as the projector would. */
public final class RollupRows {

	private RollupRows() {
	}

	/** A day bucket of {@code runs} successful runs costing nothing. */
	public static void insertDay(DSLContext db, UUID orgId, String workflow, OffsetDateTime day, int shard, long runs) {
		insert(db, orgId, workflow, 86400, day, shard, runs);
	}

	/**
	 * A bucket of {@code bucketSeconds} of {@code runs} successful runs costing nothing.
	 */
	public static void insert(DSLContext db, UUID orgId, String workflow, int bucketSeconds, OffsetDateTime start,
			int shard, long runs) {
		db.insertInto(WORKFLOW_ROLLUPS)
			.set(WORKFLOW_ROLLUPS.ORG_ID, orgId)
			.set(WORKFLOW_ROLLUPS.WORKFLOW_NAME, workflow)
			.set(WORKFLOW_ROLLUPS.BUCKET_SECONDS, bucketSeconds)
			.set(WORKFLOW_ROLLUPS.BUCKET_START, start)
			.set(WORKFLOW_ROLLUPS.SHARD, shard)
			.set(WORKFLOW_ROLLUPS.RUN_COUNT, runs)
			.set(WORKFLOW_ROLLUPS.SUCCESS_COUNT, runs)
			.set(WORKFLOW_ROLLUPS.COST_TOTAL, BigDecimal.ZERO)
			.set(WORKFLOW_ROLLUPS.COST_ZERO, runs)
			.set(WORKFLOW_ROLLUPS.LAST_STARTED_AT, start.plusMinutes(1))
			.execute();
	}

	/** Gives a bucket a new revision, as the projector does when it changes it. */
	public static void bump(DSLContext db, UUID orgId, int shard, int bucketSeconds, OffsetDateTime bucketStart) {
		db.insertInto(ROLLUP_REVISIONS)
			.set(ROLLUP_REVISIONS.ORG_ID, orgId)
			.set(ROLLUP_REVISIONS.BUCKET_SECONDS, bucketSeconds)
			.set(ROLLUP_REVISIONS.BUCKET_START, bucketStart)
			.set(ROLLUP_REVISIONS.SHARD, shard)
			.set(ROLLUP_REVISIONS.REVISION, DSL.field("nextval('rollup_revision')", Long.class))
			.onConflictOnConstraint(ROLLUP_REVISIONS.getPrimaryKey())
			.doUpdate()
			.set(ROLLUP_REVISIONS.REVISION, DSL.field("nextval('rollup_revision')", Long.class))
			.execute();
	}

}
