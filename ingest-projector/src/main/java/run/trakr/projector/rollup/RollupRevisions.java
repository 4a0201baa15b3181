package run.trakr.projector.rollup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

import org.springframework.stereotype.Component;

import run.trakr.projector.run.RunChange;
import run.trakr.projector.run.RunState;
import run.trakr.projector.sql.UnnestedRows;
import run.trakr.schema.rollup.BucketLevel;

import static run.trakr.schema.jooq.Tables.ROLLUP_REVISIONS;

/**
 * Gives every rollup bucket a batch changed a new revision, in the batch's transaction,
 * so that readers caching what they computed from those buckets know to compute it again.
 * A revision counts its row's changes (1, then one more each time): a row is written by
 * one shard's batches only, which are serial, so readers' sums over rows grow with every
 * change, and no global sequence is drawn per row (one would be a point every writer
 * shares, on one database or distributed by org).
 */
@Component
public class RollupRevisions {

	/** One (org, bucket, shard) whose revision moves. */
	record Touched(UUID orgId, BucketLevel level, Instant bucketStart, int shard) {

		/** The primary key's order, so that concurrent batches lock rows alike. */
		static final Comparator<Touched> LOCK_ORDER = Comparator.comparing(Touched::orgId)
			.thenComparing(Touched::level)
			.thenComparing(Touched::bucketStart)
			.thenComparingInt(Touched::shard);

	}

	private static final Field<Long> FIRST_REVISION = DSL.inline(1L);

	private final DSLContext db;

	RollupRevisions(DSLContext db) {
		this.db = db;
	}

	/** Moves the revision of every bucket a changed run counted in, before or after. */
	public void bump(List<RunChange> changes) {
		TreeSet<Touched> touched = new TreeSet<>(Touched.LOCK_ORDER);
		for (RunChange change : changes) {
			for (RunState state : new RunState[] { change.before(), change.after() }) {
				if (state != null && state.started()) {
					for (BucketLevel level : BucketLevel.values()) {
						touched
							.add(new Touched(state.orgId(), level, level.startOf(state.startedAt()), change.shard()));
					}
				}
			}
		}
		bump(this.db, touched);
	}

	static void bump(DSLContext db, Collection<Touched> touched) {
		if (touched.isEmpty()) {
			return;
		}
		var rows = UnnestedRows.of(List.copyOf(touched))
			.column(ROLLUP_REVISIONS.ORG_ID, Touched::orgId)
			.column(ROLLUP_REVISIONS.BUCKET_SECONDS, bucket -> bucket.level().seconds())
			.column(ROLLUP_REVISIONS.BUCKET_START, bucket -> bucket.bucketStart().atOffset(ZoneOffset.UTC))
			.column(ROLLUP_REVISIONS.SHARD, Touched::shard);
		List<Field<?>> columns = new ArrayList<>(rows.targets());
		columns.add(ROLLUP_REVISIONS.REVISION);
		var insert = db.insertInto(ROLLUP_REVISIONS).columns(columns).select(rows.selectWith(FIRST_REVISION));
		insert
			.onConflict(ROLLUP_REVISIONS.ORG_ID, ROLLUP_REVISIONS.BUCKET_SECONDS, ROLLUP_REVISIONS.BUCKET_START,
					ROLLUP_REVISIONS.SHARD)
			.doUpdate()
			.set(ROLLUP_REVISIONS.REVISION, ROLLUP_REVISIONS.REVISION.plus(1))
			.execute();
	}

	/**
	 * After a repair rewrote every rollup: every bucket that has or had a revision gets a
	 * new one.
	 */
	static int bumpAll(DSLContext db) {
		return db.update(ROLLUP_REVISIONS).set(ROLLUP_REVISIONS.REVISION, ROLLUP_REVISIONS.REVISION.plus(1)).execute();
	}

}
