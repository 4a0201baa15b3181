package run.trakr.readapitest.support;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

import org.jooq.DSLContext;

import static run.trakr.schema.jooq.Tables.RUNS;

/**
 * Run rows written straight to the read model, for tests about access rather than
 * numbers.
 */
public final class RunRows {

	private RunRows() {
	}

	public static void insert(DSLContext db, UUID orgId, UUID runId, String workflow, OffsetDateTime startedAt) {
		db.insertInto(RUNS)
			.set(RUNS.ORG_ID, orgId)
			.set(RUNS.RUN_ID, runId)
			.set(RUNS.WORKFLOW_NAME, workflow)
			.set(RUNS.STARTED_AT, startedAt)
			.set(RUNS.STATUS, "running")
			.set(RUNS.COST_USD, new BigDecimal("0.25"))
			.execute();
	}

}
