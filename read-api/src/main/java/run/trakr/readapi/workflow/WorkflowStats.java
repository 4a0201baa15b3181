package run.trakr.readapi.workflow;

import java.util.List;

import run.trakr.readapi.query.Formats;
import run.trakr.schema.rollup.WorkflowTotals;

/** GET /api/workflows/[name]/stats. */
record WorkflowStats(String workflowName, String from, String to, String interval, WorkflowSummary summary,
		List<Point> series) {

	/** One bucket of the series; the first and last count only runs inside the window. */
	record Point(String bucketStart, long runCount, long failedCount, double errorRate, String totalCostUsd,
			String avgCostUsd, String p95CostUsd, long avgDurationMs, long p95DurationMs) {

		static Point of(String bucketStart, WorkflowTotals aggregate) {
			return new Point(bucketStart, aggregate.runCount(), aggregate.failedCount(), aggregate.errorRate(),
					Formats.money(aggregate.costTotal()),
					Formats.averageMoney(aggregate.costTotal(), aggregate.runCount()),
					Formats.money(aggregate.p95Cost()), aggregate.avgDurationMs(), aggregate.p95DurationMs());
		}

		/** In the rollup cache's unit (8 bytes): about 200 bytes a point. */
		int weight() {
			return 25;
		}

	}

}
