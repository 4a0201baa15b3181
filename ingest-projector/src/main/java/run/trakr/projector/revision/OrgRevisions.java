package run.trakr.projector.revision;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.TableField;
import org.jooq.impl.DSL;

import org.springframework.stereotype.Component;

import run.trakr.projector.run.RunChange;
import run.trakr.projector.run.RunState;
import run.trakr.projector.sql.UnnestedRows;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.AlertFired;
import run.trakr.schema.event.IngestEvent.AlertResolved;
import run.trakr.schema.jooq.tables.records.OrgRevisionsRecord;

import static run.trakr.schema.jooq.Tables.ORG_REVISIONS;

/**
 * Moves an org's runs revision when a batch changed one of its started runs, and its
 * alerts revision when the batch held one of its alert events, per shard (the Kafka
 * partition), so that concurrent consumers never wait on each other's rows.
 */
@Component
public class OrgRevisions {

	/** One (org, shard) whose revision moves. */
	record Touched(UUID orgId, int shard) {

		/** The primary key's order, so that statements lock rows alike. */
		static final Comparator<Touched> LOCK_ORDER = Comparator.comparing(Touched::orgId)
			.thenComparingInt(Touched::shard);

	}

	/** A revision counts its row's changes, as rollup revisions do. */
	private static final Field<Long> FIRST_REVISION = DSL.inline(1L);

	private final DSLContext db;

	OrgRevisions(DSLContext db) {
		this.db = db;
	}

	/**
	 * {@code partitionOf}: the shard of each applied event. A run not yet started is
	 * invisible to readers, so its changes move nothing.
	 */
	public void bump(List<RunChange> changes, List<IngestEvent> events, Map<IngestEvent, Integer> partitionOf) {
		TreeSet<Touched> runs = new TreeSet<>(Touched.LOCK_ORDER);
		for (RunChange change : changes) {
			RunState visible = change.after().started() ? change.after()
					: (change.before() != null && change.before().started()) ? change.before() : null;
			if (visible != null) {
				runs.add(new Touched(visible.orgId(), change.shard()));
			}
		}
		TreeSet<Touched> alerts = new TreeSet<>(Touched.LOCK_ORDER);
		for (IngestEvent event : events) {
			if (event instanceof AlertFired || event instanceof AlertResolved) {
				alerts.add(new Touched(event.envelope().orgId(), partitionOf.get(event)));
			}
		}
		bump(runs, ORG_REVISIONS.RUNS_REVISION);
		bump(alerts, ORG_REVISIONS.ALERTS_REVISION);
	}

	private void bump(TreeSet<Touched> touched, TableField<OrgRevisionsRecord, Long> revision) {
		if (touched.isEmpty()) {
			return;
		}
		var rows = UnnestedRows.of(List.copyOf(touched))
			.column(ORG_REVISIONS.ORG_ID, Touched::orgId)
			.column(ORG_REVISIONS.SHARD, Touched::shard);
		List<Field<?>> columns = new ArrayList<>(rows.targets());
		columns.add(revision);
		this.db.insertInto(ORG_REVISIONS)
			.columns(columns)
			.select(rows.selectWith(FIRST_REVISION))
			.onConflict(ORG_REVISIONS.ORG_ID, ORG_REVISIONS.SHARD)
			.doUpdate()
			.set(revision, revision.plus(1))
			.execute();
	}

}
