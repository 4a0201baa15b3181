package run.trakr.schema.rollup;

import java.util.List;

import org.jooq.Record;

import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;

/**
 * The additive content of a tool rollup row, or of any set of one tool's uses: uses,
 * failures, durations and the runs that used it. The projector adds uses and runs and
 * writes the columns; the read API reads rows back with {@link #of} and merges them.
 */
public final class ToolTotals {

	private long useCount;

	private long errorCount;

	private long durationTotalMs;

	/** Runs that used the tool at least once. */
	private long runCount;

	private final LogHistogram durations;

	/** Every column of a {@code tool_rollups} row but its key. */
	public static final List<RollupColumn<ToolTotals, ?>> COLUMNS = List.of(
			RollupColumn.of(TOOL_ROLLUPS.USE_COUNT, t -> t.useCount, (t, v) -> t.useCount = v),
			RollupColumn.of(TOOL_ROLLUPS.ERROR_COUNT, t -> t.errorCount, (t, v) -> t.errorCount = v),
			RollupColumn.of(TOOL_ROLLUPS.DURATION_TOTAL_MS, t -> t.durationTotalMs, (t, v) -> t.durationTotalMs = v),
			RollupColumn.of(TOOL_ROLLUPS.RUN_COUNT, t -> t.runCount, (t, v) -> t.runCount = v),
			RollupColumn.written(TOOL_ROLLUPS.DURATION_ZERO, t -> t.durations.zeros()),
			RollupColumn.written(TOOL_ROLLUPS.DURATION_BINS, t -> t.durations.binColumn()),
			RollupColumn.written(TOOL_ROLLUPS.DURATION_COUNTS, t -> t.durations.countColumn()));

	public ToolTotals() {
		this(new LogHistogram());
	}

	private ToolTotals(LogHistogram durations) {
		this.durations = durations;
	}

	/** A {@code tool_rollups} row (or a selection of its columns). */
	public static ToolTotals of(Record row) {
		ToolTotals totals = new ToolTotals(LogHistogram.fromColumns(row.get(TOOL_ROLLUPS.DURATION_ZERO),
				row.get(TOOL_ROLLUPS.DURATION_BINS), row.get(TOOL_ROLLUPS.DURATION_COUNTS)));
		COLUMNS.forEach(column -> column.restore(totals, row));
		return totals;
	}

	/** Adds ({@code sign} 1) or retracts (-1) one use. */
	public void addUse(boolean error, long durationMs, int sign) {
		this.useCount += sign;
		this.errorCount += error ? sign : 0;
		this.durationTotalMs += sign * durationMs;
		this.durations.addCount(durationMs, sign);
	}

	/** Adds one run's uses of the tool ({@code sign} 1) or retracts them (-1). */
	public void addRun(ToolTotals runUses, int sign) {
		this.useCount += sign * runUses.useCount;
		this.errorCount += sign * runUses.errorCount;
		this.durationTotalMs += sign * runUses.durationTotalMs;
		this.runCount += (runUses.useCount > 0) ? sign : 0;
		this.durations.merge(runUses.durations, sign);
	}

	/** Counts one run that used the tool (its uses are added one by one). */
	public void countRun() {
		this.runCount++;
	}

	public void merge(ToolTotals other) {
		this.useCount += other.useCount;
		this.errorCount += other.errorCount;
		this.durationTotalMs += other.durationTotalMs;
		this.runCount += other.runCount;
		this.durations.merge(other.durations, 1);
	}

	/**
	 * The memory these totals hold, in 8-byte words: the histogram's bins and about 64
	 * bytes of counters and headers.
	 */
	public int weight() {
		return 8 + this.durations.words();
	}

	/**
	 * Keeps only the histogram's bins with values (before a value is cached); returns it.
	 */
	public ToolTotals compact() {
		this.durations.compact();
		return this;
	}

	public long useCount() {
		return this.useCount;
	}

	public long errorCount() {
		return this.errorCount;
	}

	public long durationTotalMs() {
		return this.durationTotalMs;
	}

	public long runCount() {
		return this.runCount;
	}

	/** The duration histogram, for writing its columns; not to be changed. */
	public LogHistogram durations() {
		return this.durations;
	}

	/** error uses / uses; 0 when unused. */
	public double errorRate() {
		return (this.useCount == 0) ? 0 : (double) this.errorCount / this.useCount;
	}

	public long avgDurationMs() {
		return (this.useCount == 0) ? 0 : Math.round((double) this.durationTotalMs / this.useCount);
	}

	public long p95DurationMs() {
		return this.durations.quantileAsLong(0.95);
	}

	@Override
	public String toString() {
		return "uses=" + this.useCount + " errors=" + this.errorCount + " duration=" + this.durationTotalMs + " runs="
				+ this.runCount + " durations=" + this.durations;
	}

}
