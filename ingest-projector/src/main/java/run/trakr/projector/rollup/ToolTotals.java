package run.trakr.projector.rollup;

import run.trakr.schema.rollup.LogHistogram;

/** The additive content of a tool rollup row: one tool's uses in one workflow bucket. */
final class ToolTotals {

	long useCount;

	long errorCount;

	long durationTotalMs;

	/** Runs that used the tool at least once. */
	long runCount;

	final LogHistogram durations;

	ToolTotals() {
		this(new LogHistogram());
	}

	ToolTotals(LogHistogram durations) {
		this.durations = durations;
	}

	void addUse(boolean error, long durationMs, int sign) {
		this.useCount += sign;
		this.errorCount += error ? sign : 0;
		this.durationTotalMs += sign * durationMs;
		this.durations.addCount(durationMs, sign);
	}

	/** Adds one run's uses of the tool ({@code sign} 1) or retracts them (-1). */
	void addRun(ToolTotals runUses, int sign) {
		this.useCount += sign * runUses.useCount;
		this.errorCount += sign * runUses.errorCount;
		this.durationTotalMs += sign * runUses.durationTotalMs;
		this.runCount += (runUses.useCount > 0) ? sign : 0;
		this.durations.merge(runUses.durations, sign);
	}

	void merge(ToolTotals delta) {
		this.useCount += delta.useCount;
		this.errorCount += delta.errorCount;
		this.durationTotalMs += delta.durationTotalMs;
		this.runCount += delta.runCount;
		this.durations.merge(delta.durations, 1);
	}

	String describe() {
		return "uses=" + this.useCount + " errors=" + this.errorCount + " duration=" + this.durationTotalMs + " runs="
				+ this.runCount + " durations=" + this.durations;
	}

}
