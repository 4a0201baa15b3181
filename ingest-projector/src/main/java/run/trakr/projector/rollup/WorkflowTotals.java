package run.trakr.projector.rollup;

import java.math.BigDecimal;
import java.time.Instant;

import run.trakr.projector.run.RunState;
import run.trakr.schema.rollup.LogHistogram;

/**
 * The additive content of a workflow rollup row. A run contributes to it as a pure
 * function of its state, so applying {@code contribution(new) - contribution(old)} keeps
 * the row equal to a recomputation from the run rows, whatever the order of events.
 */
final class WorkflowTotals {

	long runCount;

	long runningCount;

	long successCount;

	long errorCount;

	long loopDetectedCount;

	long timeoutCount;

	BigDecimal costTotal = BigDecimal.ZERO;

	long durationTotalMs;

	long inputTokens;

	long outputTokens;

	long llmCallCount;

	long toolUseCount;

	/**
	 * The latest start seen; a run never leaves its bucket, so this only moves forward.
	 */
	Instant lastStartedAt;

	final LogHistogram costs;

	final LogHistogram durations;

	WorkflowTotals() {
		this(new LogHistogram(), new LogHistogram());
	}

	WorkflowTotals(LogHistogram costs, LogHistogram durations) {
		this.costs = costs;
		this.durations = durations;
	}

	/** Adds ({@code sign} 1) or retracts ({@code sign} -1) one started run. */
	void add(RunState run, int sign) {
		this.runCount += sign;
		switch (run.status()) {
			case "running" -> this.runningCount += sign;
			case "success" -> this.successCount += sign;
			case "error" -> this.errorCount += sign;
			case "loop_detected" -> this.loopDetectedCount += sign;
			case "timeout" -> this.timeoutCount += sign;
			default -> throw new IllegalStateException("Unknown status " + run.status());
		}
		this.costTotal = (sign > 0) ? this.costTotal.add(run.costUsd()) : this.costTotal.subtract(run.costUsd());
		this.inputTokens += sign * run.inputTokens();
		this.outputTokens += sign * run.outputTokens();
		this.llmCallCount += sign * (long) run.llmCallCount();
		this.toolUseCount += sign * (long) run.toolUseCount();
		this.costs.addCount(run.costUsd(), sign);
		if (!run.status().equals(RunState.RUNNING) && run.durationMs() != null) {
			this.durationTotalMs += sign * run.durationMs();
			this.durations.addCount(run.durationMs(), sign);
		}
		if (sign > 0 && (this.lastStartedAt == null || run.startedAt().isAfter(this.lastStartedAt))) {
			this.lastStartedAt = run.startedAt();
		}
	}

	void merge(WorkflowTotals delta) {
		this.runCount += delta.runCount;
		this.runningCount += delta.runningCount;
		this.successCount += delta.successCount;
		this.errorCount += delta.errorCount;
		this.loopDetectedCount += delta.loopDetectedCount;
		this.timeoutCount += delta.timeoutCount;
		this.costTotal = this.costTotal.add(delta.costTotal);
		this.durationTotalMs += delta.durationTotalMs;
		this.inputTokens += delta.inputTokens;
		this.outputTokens += delta.outputTokens;
		this.llmCallCount += delta.llmCallCount;
		this.toolUseCount += delta.toolUseCount;
		this.costs.merge(delta.costs, 1);
		this.durations.merge(delta.durations, 1);
		if (delta.lastStartedAt != null
				&& (this.lastStartedAt == null || delta.lastStartedAt.isAfter(this.lastStartedAt))) {
			this.lastStartedAt = delta.lastStartedAt;
		}
	}

}
