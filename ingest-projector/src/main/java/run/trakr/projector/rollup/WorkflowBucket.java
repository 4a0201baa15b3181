package run.trakr.projector.rollup;

import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

import run.trakr.schema.rollup.BucketLevel;

/** The key of one {@code workflow_rollups} row. */
record WorkflowBucket(UUID orgId, String workflowName, BucketLevel level, Instant bucketStart, int shard) {

	/**
	 * The order rows are locked in, so that two projectors never wait on each other in a
	 * cycle.
	 */
	static final Comparator<WorkflowBucket> LOCK_ORDER = Comparator.comparing(WorkflowBucket::orgId)
		.thenComparing(WorkflowBucket::level)
		.thenComparing(WorkflowBucket::bucketStart)
		.thenComparing(WorkflowBucket::workflowName)
		.thenComparingInt(WorkflowBucket::shard);

}
