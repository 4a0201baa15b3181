package run.trakr.readapi.workflow;

import run.trakr.readapi.query.Formats;
import run.trakr.schema.rollup.WorkflowTotals;

/** The public {@code WorkflowSummary}: one workflow's runs in a window. */
record WorkflowSummary(String workflowName, long runCount, String avgCostUsd, String p95CostUsd, String totalCostUsd,
		double errorRate, long avgDurationMs, String lastRunAt) {

	static WorkflowSummary of(String name, WorkflowTotals aggregate) {
		return new WorkflowSummary(name, aggregate.runCount(),
				Formats.averageMoney(aggregate.costTotal(), aggregate.runCount()), Formats.money(aggregate.p95Cost()),
				Formats.money(aggregate.costTotal()), aggregate.errorRate(), aggregate.avgDurationMs(),
				Formats.timestamp(aggregate.lastStartedAt()));
	}

}
