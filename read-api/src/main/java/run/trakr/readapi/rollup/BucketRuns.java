package run.trakr.readapi.rollup;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

import run.trakr.schema.RunStatus;
import run.trakr.schema.rollup.WorkflowTotals;

/**
 * The started runs of one 5-minute bucket, ordered by start: what the unaligned edges of
 * windows ending inside the bucket are folded from. Cached per bucket like the rollups,
 * so a dashboard's moving window reads its edges from memory until the bucket changes.
 */
final class BucketRuns {

	/** What an edge run contributes to a workflow aggregate. */
	record Run(String workflow, RunStatus status, BigDecimal cost, Long durationMs, long inputTokens, long outputTokens,
			int llmCalls, int toolUses, Instant startedAt) {

		void addTo(WorkflowTotals aggregate) {
			aggregate.add(this.status, this.cost, this.durationMs, this.inputTokens, this.outputTokens, this.llmCalls,
					this.toolUses, this.startedAt, 1);
		}

	}

	private final List<Run> runs;

	BucketRuns(List<Run> runs) {
		List<Run> sorted = new ArrayList<>(runs);
		sorted.sort(Comparator.comparing(Run::startedAt));
		this.runs = sorted;
	}

	/** Each run started in {@code [from, until)}, of {@code workflow} (all when null). */
	void forEachIn(Instant from, Instant until, String workflow, Consumer<Run> action) {
		for (int i = firstAtOrAfter(from); i < this.runs.size(); i++) {
			Run run = this.runs.get(i);
			if (!run.startedAt().isBefore(until)) {
				return;
			}
			if (workflow == null || workflow.equals(run.workflow())) {
				action.accept(run);
			}
		}
	}

	/**
	 * Which of the runs start in {@code [from, until)}, as one number: the first index in
	 * the high half, the index after the last in the low half. Equal spans of one
	 * {@code BucketRuns} hold the same runs.
	 */
	long span(Instant from, Instant until) {
		return ((long) firstAtOrAfter(from) << 32) | firstAtOrAfter(until);
	}

	/** In the rollup cache's unit (8 bytes): about 100 bytes a run. */
	int weight() {
		return 1 + 12 * this.runs.size();
	}

	private int firstAtOrAfter(Instant from) {
		int low = 0;
		int high = this.runs.size();
		while (low < high) {
			int middle = (low + high) >>> 1;
			if (this.runs.get(middle).startedAt().isBefore(from)) {
				low = middle + 1;
			}
			else {
				high = middle;
			}
		}
		return low;
	}

}
