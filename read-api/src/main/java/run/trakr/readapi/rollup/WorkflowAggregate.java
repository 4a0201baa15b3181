package run.trakr.readapi.rollup;

import java.math.BigDecimal;
import java.time.Instant;

import run.trakr.schema.rollup.LogHistogram;

/**
 * The runs of a window (of one workflow, or of several merged): counts, sums and
 * histograms from which every metric of the semantics document follows.
 */
public final class WorkflowAggregate {

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

	Instant lastStartedAt;

	final LogHistogram costs;

	/** Over completed runs only. */
	final LogHistogram durations;

	public WorkflowAggregate() {
		this(new LogHistogram(), new LogHistogram());
	}

	private WorkflowAggregate(LogHistogram costs, LogHistogram durations) {
		this.costs = costs;
		this.durations = durations;
	}

	/** An independent copy, for adding edge runs to a cached aggregate. */
	WorkflowAggregate copy() {
		WorkflowAggregate copy = new WorkflowAggregate(this.costs.copy(), this.durations.copy());
		copy.merge(this, false);
		return copy;
	}

	void addRun(String status, BigDecimal cost, Long durationMs, long input, long output, long calls, long tools,
			Instant startedAt) {
		this.runCount++;
		switch (status) {
			case "running" -> this.runningCount++;
			case "success" -> this.successCount++;
			case "error" -> this.errorCount++;
			case "loop_detected" -> this.loopDetectedCount++;
			case "timeout" -> this.timeoutCount++;
			default -> throw new IllegalStateException("Unknown status " + status);
		}
		this.costTotal = this.costTotal.add(cost);
		this.costs.add(cost);
		if (!"running".equals(status) && durationMs != null) {
			this.durationTotalMs += durationMs;
			this.durations.add(durationMs);
		}
		this.inputTokens += input;
		this.outputTokens += output;
		this.llmCallCount += calls;
		this.toolUseCount += tools;
		seen(startedAt);
	}

	public void merge(WorkflowAggregate other) {
		merge(other, true);
	}

	private void merge(WorkflowAggregate other, boolean histograms) {
		this.runCount += other.runCount;
		this.runningCount += other.runningCount;
		this.successCount += other.successCount;
		this.errorCount += other.errorCount;
		this.loopDetectedCount += other.loopDetectedCount;
		this.timeoutCount += other.timeoutCount;
		this.costTotal = this.costTotal.add(other.costTotal);
		this.durationTotalMs += other.durationTotalMs;
		this.inputTokens += other.inputTokens;
		this.outputTokens += other.outputTokens;
		this.llmCallCount += other.llmCallCount;
		this.toolUseCount += other.toolUseCount;
		if (histograms) {
			this.costs.merge(other.costs, 1);
			this.durations.merge(other.durations, 1);
		}
		seen(other.lastStartedAt);
	}

	/** Roughly proportional to the memory this aggregate holds. */
	int weight() {
		return 1 + this.costs.binCount() + this.durations.binCount();
	}

	void seen(Instant startedAt) {
		if (startedAt != null && (this.lastStartedAt == null || startedAt.isAfter(this.lastStartedAt))) {
			this.lastStartedAt = startedAt;
		}
	}

	public long runCount() {
		return this.runCount;
	}

	public long runningCount() {
		return this.runningCount;
	}

	/** Runs of one status. */
	public long count(String status) {
		return switch (status) {
			case "running" -> this.runningCount;
			case "success" -> this.successCount;
			case "error" -> this.errorCount;
			case "loop_detected" -> this.loopDetectedCount;
			case "timeout" -> this.timeoutCount;
			default -> throw new IllegalArgumentException("Unknown status " + status);
		};
	}

	public long completedCount() {
		return this.runCount - this.runningCount;
	}

	/** Status error, loop_detected or timeout. */
	public long failedCount() {
		return this.errorCount + this.loopDetectedCount + this.timeoutCount;
	}

	/** failed / completed; 0 when nothing completed. */
	public double errorRate() {
		long completed = completedCount();
		return (completed == 0) ? 0 : (double) failedCount() / completed;
	}

	public BigDecimal costTotal() {
		return this.costTotal;
	}

	/** Mean duration of completed runs, rounded to the nearest ms; 0 when none. */
	public long avgDurationMs() {
		long completed = this.durations.count();
		return (completed == 0) ? 0 : Math.round((double) this.durationTotalMs / completed);
	}

	public long p95DurationMs() {
		return this.durations.quantileAsLong(0.95);
	}

	public BigDecimal p95Cost() {
		return this.costs.quantileAsMoney(0.95);
	}

	public long totalTokens() {
		return this.inputTokens + this.outputTokens;
	}

	public long llmCallCount() {
		return this.llmCallCount;
	}

	public long toolUseCount() {
		return this.toolUseCount;
	}

	public Instant lastStartedAt() {
		return this.lastStartedAt;
	}

}
