package run.trakr.projector.rollup;

import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

import run.trakr.schema.rollup.BucketLevel;

/** The key of one {@code tool_rollups} row. */
record ToolBucket(UUID orgId, String workflowName, String toolName, BucketLevel level, Instant bucketStart, int shard) {

	static final Comparator<ToolBucket> LOCK_ORDER = Comparator.comparing(ToolBucket::orgId)
		.thenComparing(ToolBucket::workflowName)
		.thenComparing(ToolBucket::level)
		.thenComparing(ToolBucket::bucketStart)
		.thenComparing(ToolBucket::toolName)
		.thenComparingInt(ToolBucket::shard);

}
