package run.trakr.readapi.workflow;

import java.util.List;

import run.trakr.schema.rollup.ToolTotals;

/** GET /api/workflows/[name]/tools. */
record WorkflowTools(String workflowName, String from, String to, List<Tool> tools) {

	/**
	 * One tool; {@code share} is its part of all the workflow's tool calls in the window.
	 */
	record Tool(String toolName, long callCount, long errorCount, double errorRate, long avgDurationMs,
			long p95DurationMs, long runCount, double share) {

		static Tool of(String name, ToolTotals aggregate, long allUses) {
			return new Tool(name, aggregate.useCount(), aggregate.errorCount(), aggregate.errorRate(),
					aggregate.avgDurationMs(), aggregate.p95DurationMs(), aggregate.runCount(),
					(allUses == 0) ? 0 : (double) aggregate.useCount() / allUses);
		}

	}

}
