package run.trakr.readapi.rollup;

import run.trakr.schema.rollup.LogHistogram;

/** The uses of one tool by one workflow's runs in a window. */
public final class ToolAggregate {

	long useCount;

	long errorCount;

	long durationTotalMs;

	/** Runs that used the tool at least once. */
	long runCount;

	final LogHistogram durations = new LogHistogram();

	void merge(ToolAggregate other) {
		this.useCount += other.useCount;
		this.errorCount += other.errorCount;
		this.durationTotalMs += other.durationTotalMs;
		this.runCount += other.runCount;
		this.durations.merge(other.durations, 1);
	}

	int weight() {
		return 1 + this.durations.binCount();
	}

	public long useCount() {
		return this.useCount;
	}

	public long errorCount() {
		return this.errorCount;
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

	public long runCount() {
		return this.runCount;
	}

}
