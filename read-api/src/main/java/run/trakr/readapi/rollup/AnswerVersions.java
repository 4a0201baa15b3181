package run.trakr.readapi.rollup;

import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import org.springframework.stereotype.Component;

import run.trakr.readapi.query.TimeWindow;

import static run.trakr.schema.jooq.Tables.ORG_REVISIONS;

/**
 * The versions handlers give {@code ConditionalRequests.notModified}: numbers that grow
 * whenever the data an answer reads changes, each one statement over a few revision rows,
 * none while {@link RevisionWatch} has seen no revision table change.
 */
@Component
public class AnswerVersions {

	/**
	 * The sums over shards of an org's revisions: runs moves with any change to a started
	 * run, alerts with any alert event.
	 */
	public record Org(long runs, long alerts) {
	}

	/** What one {@link #org} read is remembered by. */
	private record OrgRead(UUID orgId) {
	}

	private final RollupReader rollups;

	private final DSLContext db;

	private final RevisionWatch watch;

	AnswerVersions(RollupReader rollups, DSLContext db, RevisionWatch watch) {
		this.rollups = rollups;
		this.db = db;
		this.watch = watch;
	}

	/** What an answer over the runs started in the window reads. */
	public long window(UUID orgId, TimeWindow window) {
		return this.rollups.version(orgId, window);
	}

	/** What an answer that is not bounded by a window reads. */
	public Org org(UUID orgId) {
		return this.watch.read(new OrgRead(orgId), () -> readOrg(orgId));
	}

	private Org readOrg(UUID orgId) {
		var sums = this.db
			.select(DSL.coalesce(DSL.sum(ORG_REVISIONS.RUNS_REVISION), 0).cast(Long.class),
					DSL.coalesce(DSL.sum(ORG_REVISIONS.ALERTS_REVISION), 0).cast(Long.class))
			.from(ORG_REVISIONS)
			.where(ORG_REVISIONS.ORG_ID.eq(orgId))
			.fetchOne();
		return new Org(sums.value1(), sums.value2());
	}

}
