package run.trakr.projector.run;

import java.util.Comparator;
import java.util.UUID;

import run.trakr.schema.event.IngestEvent.RunEvent;

/** A run, by its org and id. */
record RunKey(UUID orgId, UUID runId) {

	/** The order rows are locked in, so that two projectors cannot deadlock. */
	static final Comparator<RunKey> LOCK_ORDER = Comparator.comparing(RunKey::orgId).thenComparing(RunKey::runId);

	static RunKey of(RunEvent event) {
		return new RunKey(event.envelope().orgId(), event.runId());
	}

}
