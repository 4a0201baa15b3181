package run.trakr.schema.retention;

import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;

import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;
import static run.trakr.schema.jooq.Tables.RETENTION_PLANS;

/**
 * An org's raw horizon as the database holds it: its own days, else its plan's default.
 * One home for the rule the projector, the retention job, {@code verify} and the admin
 * CLI read.
 */
public final class Horizons {

	/** The org's raw days, over {@link #ORGS_WITH_PLANS}. */
	public static final Field<Integer> RAW_DAYS = DSL.coalesce(ORGANIZATIONS.RETENTION_DAYS, RETENTION_PLANS.RAW_DAYS);

	/** Every registered org beside its plan's defaults. */
	public static final Table<?> ORGS_WITH_PLANS = ORGANIZATIONS.join(RETENTION_PLANS)
		.on(RETENTION_PLANS.PLAN.eq(ORGANIZATIONS.PLAN));

	private Horizons() {
	}

}
