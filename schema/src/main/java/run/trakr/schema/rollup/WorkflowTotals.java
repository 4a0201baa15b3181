package run.trakr.schema.rollup;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.jooq.Record;

import run.trakr.schema.RunStatus;

import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * The additive content of a workflow rollup row, or of any set of runs: counts, sums and
 * histograms, from which every metric of the semantics document follows. The projector
 * adds and retracts runs ({@code contribution(new) - contribution(old)} keeps a row equal
 * to a recomputation from the run rows, whatever the order of events); the read API
 * merges rows and edge runs into the aggregate of a window.
 */
public final class WorkflowTotals {

	private long runCount;

	private long runningCount;

	private long successCount;

	private long errorCount;

	private long loopDetectedCount;

	private long timeoutCount;

	private BigDecimal costTotal = BigDecimal.ZERO;

	private long durationTotalMs;

	private long inputTokens;

	private long outputTokens;

	private long llmCallCount;

	private long toolUseCount;

	/**
	 * The latest start added; retracting a run leaves it, as a run never leaves its
	 * bucket.
	 */
	private Instant lastStartedAt;

	private final LogHistogram costs;

	/** Over completed runs only. */
	private final LogHistogram durations;

	/** Every column of a {@code workflow_rollups} row but its key. */
	public static final List<RollupColumn<WorkflowTotals, ?>> COLUMNS = List.of(
			RollupColumn.of(WORKFLOW_ROLLUPS.RUN_COUNT, t -> t.runCount, (t, v) -> t.runCount = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.RUNNING_COUNT, t -> t.runningCount, (t, v) -> t.runningCount = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.SUCCESS_COUNT, t -> t.successCount, (t, v) -> t.successCount = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.ERROR_COUNT, t -> t.errorCount, (t, v) -> t.errorCount = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.LOOP_DETECTED_COUNT, t -> t.loopDetectedCount,
					(t, v) -> t.loopDetectedCount = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.TIMEOUT_COUNT, t -> t.timeoutCount, (t, v) -> t.timeoutCount = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.COST_TOTAL, t -> t.costTotal, (t, v) -> t.costTotal = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.DURATION_TOTAL_MS, t -> t.durationTotalMs,
					(t, v) -> t.durationTotalMs = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.INPUT_TOKENS, t -> t.inputTokens, (t, v) -> t.inputTokens = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.OUTPUT_TOKENS, t -> t.outputTokens, (t, v) -> t.outputTokens = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.LLM_CALL_COUNT, t -> t.llmCallCount, (t, v) -> t.llmCallCount = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.TOOL_USE_COUNT, t -> t.toolUseCount, (t, v) -> t.toolUseCount = v),
			RollupColumn.of(WORKFLOW_ROLLUPS.LAST_STARTED_AT,
					t -> (t.lastStartedAt != null) ? t.lastStartedAt.atOffset(ZoneOffset.UTC) : null,
					(t, v) -> t.lastStartedAt = (v != null) ? v.toInstant() : null),
			RollupColumn.written(WORKFLOW_ROLLUPS.COST_ZERO, t -> t.costs.zeros()),
			RollupColumn.written(WORKFLOW_ROLLUPS.COST_BINS, t -> t.costs.binColumn()),
			RollupColumn.written(WORKFLOW_ROLLUPS.COST_COUNTS, t -> t.costs.countColumn()),
			RollupColumn.written(WORKFLOW_ROLLUPS.DURATION_ZERO, t -> t.durations.zeros()),
			RollupColumn.written(WORKFLOW_ROLLUPS.DURATION_BINS, t -> t.durations.binColumn()),
			RollupColumn.written(WORKFLOW_ROLLUPS.DURATION_COUNTS, t -> t.durations.countColumn()));

	public WorkflowTotals() {
		this(new LogHistogram(), new LogHistogram());
	}

	private WorkflowTotals(LogHistogram costs, LogHistogram durations) {
		this.costs = costs;
		this.durations = durations;
	}

	/** The totals one {@code workflow_rollups} row holds. */
	public static WorkflowTotals of(Record row) {
		WorkflowTotals totals = new WorkflowTotals(
				LogHistogram.fromColumns(row.get(WORKFLOW_ROLLUPS.COST_ZERO), row.get(WORKFLOW_ROLLUPS.COST_BINS),
						row.get(WORKFLOW_ROLLUPS.COST_COUNTS)),
				LogHistogram.fromColumns(row.get(WORKFLOW_ROLLUPS.DURATION_ZERO),
						row.get(WORKFLOW_ROLLUPS.DURATION_BINS), row.get(WORKFLOW_ROLLUPS.DURATION_COUNTS)));
		COLUMNS.forEach(column -> column.restore(totals, row));
		return totals;
	}

	/** An independent copy, for adding edge runs to a cached aggregate. */
	public WorkflowTotals copy() {
		WorkflowTotals copy = new WorkflowTotals(this.costs.copy(), this.durations.copy());
		copy.addCounters(this);
		return copy;
	}

	/**
	 * Adds ({@code sign} 1) or retracts ({@code sign} -1) one started run. Its duration
	 * counts only once it has ended.
	 */
	public void add(RunStatus status, BigDecimal cost, Long durationMs, long input, long output, long calls, long tools,
			Instant startedAt, int sign) {
		this.runCount += sign;
		switch (status) {
			case RUNNING -> this.runningCount += sign;
			case SUCCESS -> this.successCount += sign;
			case ERROR -> this.errorCount += sign;
			case LOOP_DETECTED -> this.loopDetectedCount += sign;
			case TIMEOUT -> this.timeoutCount += sign;
		}
		this.costTotal = (sign > 0) ? this.costTotal.add(cost) : this.costTotal.subtract(cost);
		this.costs.addCount(cost, sign);
		if (status.completed() && durationMs != null) {
			this.durationTotalMs += sign * durationMs;
			this.durations.addCount(durationMs, sign);
		}
		this.inputTokens += sign * input;
		this.outputTokens += sign * output;
		this.llmCallCount += sign * calls;
		this.toolUseCount += sign * tools;
		if (sign > 0) {
			seen(startedAt);
		}
	}

	public void merge(WorkflowTotals other) {
		addCounters(other);
		this.costs.merge(other.costs, 1);
		this.durations.merge(other.durations, 1);
	}

	private void addCounters(WorkflowTotals other) {
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
		seen(other.lastStartedAt);
	}

	private void seen(Instant startedAt) {
		if (startedAt != null && (this.lastStartedAt == null || startedAt.isAfter(this.lastStartedAt))) {
			this.lastStartedAt = startedAt;
		}
	}

	/**
	 * The memory these totals hold, in 8-byte words: the histograms' bins and about 96
	 * bytes of counters and headers.
	 */
	public int weight() {
		return 12 + this.costs.words() + this.durations.words();
	}

	/**
	 * Keeps only the histograms' bins with values (before a value is cached); returns it.
	 */
	public WorkflowTotals compact() {
		this.costs.compact();
		this.durations.compact();
		return this;
	}

	public long runCount() {
		return this.runCount;
	}

	public long runningCount() {
		return this.runningCount;
	}

	/** Runs of one status. */
	public long count(RunStatus status) {
		return switch (status) {
			case RUNNING -> this.runningCount;
			case SUCCESS -> this.successCount;
			case ERROR -> this.errorCount;
			case LOOP_DETECTED -> this.loopDetectedCount;
			case TIMEOUT -> this.timeoutCount;
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

	public long durationTotalMs() {
		return this.durationTotalMs;
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

	public long inputTokens() {
		return this.inputTokens;
	}

	public long outputTokens() {
		return this.outputTokens;
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

	public LogHistogram costs() {
		return this.costs;
	}

	public LogHistogram durations() {
		return this.durations;
	}

	/** Every counter and both histograms, for reports of differences. */
	@Override
	public String toString() {
		return "runs=" + this.runCount + " running=" + this.runningCount + " success=" + this.successCount + " error="
				+ this.errorCount + " loop=" + this.loopDetectedCount + " timeout=" + this.timeoutCount + " cost="
				+ this.costTotal.stripTrailingZeros().toPlainString() + " duration=" + this.durationTotalMs + " tokens="
				+ this.inputTokens + "/" + this.outputTokens + " calls=" + this.llmCallCount + " tools="
				+ this.toolUseCount + " last=" + ((this.runCount > 0) ? this.lastStartedAt : null) + " costs="
				+ this.costs + " durations=" + this.durations;
	}

}
