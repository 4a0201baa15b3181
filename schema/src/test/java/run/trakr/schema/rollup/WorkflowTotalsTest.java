package run.trakr.schema.rollup;

import java.math.BigDecimal;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import run.trakr.schema.RunStatus;

import static org.assertj.core.api.Assertions.assertThat;

class WorkflowTotalsTest {

	private static final Instant EARLY = Instant.parse("2026-11-28T10:00:00Z");

	private static final Instant LATE = Instant.parse("2026-11-28T10:03:00Z");

	@Test
	void aRunRetractedAndAddedInItsNewStateEqualsTotalsBuiltFromTheNewStateAlone() {
		WorkflowTotals moved = new WorkflowTotals();
		add(moved, "success", "0.25", 4_000L, EARLY, 1);
		add(moved, "running", "0.10", null, LATE, 1);
		add(moved, "running", "0.10", null, LATE, -1);
		add(moved, "error", "0.40", 9_000L, LATE, 1);

		WorkflowTotals direct = new WorkflowTotals();
		add(direct, "success", "0.25", 4_000L, EARLY, 1);
		add(direct, "error", "0.40", 9_000L, LATE, 1);

		assertThat(moved).hasToString(direct.toString());
		assertThat(moved.costTotal()).isEqualByComparingTo("0.65");
		assertThat(moved.errorRate()).isEqualTo(0.5);
		assertThat(moved.avgDurationMs()).isEqualTo(6_500);
		assertThat(moved.lastStartedAt()).isEqualTo(LATE);
	}

	@Test
	void aRunningRunCountsItsCostButNoDurationAndIsNotCompleted() {
		WorkflowTotals totals = new WorkflowTotals();
		add(totals, "running", "0.30", 1_000L, EARLY, 1);
		add(totals, "timeout", "0.10", 2_000L, EARLY, 1);

		assertThat(totals.runCount()).isEqualTo(2);
		assertThat(totals.completedCount()).isEqualTo(1);
		assertThat(totals.failedCount()).isEqualTo(1);
		assertThat(totals.errorRate()).isEqualTo(1.0);
		assertThat(totals.durationTotalMs()).isEqualTo(2_000);
		assertThat(totals.durations().count()).isEqualTo(1);
		assertThat(totals.costs().count()).isEqualTo(2);
	}

	@Test
	void mergingAndCopyingKeepEveryCounterAndHistogram() {
		WorkflowTotals early = new WorkflowTotals();
		add(early, "success", "0.25", 4_000L, EARLY, 1);
		WorkflowTotals late = new WorkflowTotals();
		add(late, "loop_detected", "0", 120_000L, LATE, 1);
		WorkflowTotals all = new WorkflowTotals();
		add(all, "success", "0.25", 4_000L, EARLY, 1);
		add(all, "loop_detected", "0", 120_000L, LATE, 1);

		WorkflowTotals merged = early.copy();
		merged.merge(late);

		assertThat(merged).hasToString(all.toString());
		assertThat(merged.count(RunStatus.LOOP_DETECTED)).isEqualTo(1);
		assertThat(merged.totalTokens()).isEqualTo(2 * 30);
		assertThat(merged.llmCallCount()).isEqualTo(2 * 3);
		assertThat(merged.p95DurationMs()).isBetween(119_400L, 120_600L);
		assertThat(early.runCount()).as("the copy is independent").isEqualTo(1);
		assertThat(early.lastStartedAt()).isEqualTo(EARLY);
	}

	@Test
	void compactedTotalsAnswerAlikeAndWeighWhatTheyHold() {
		WorkflowTotals hour = new WorkflowTotals();
		// A few runs whose costs and durations span decades, as an hour of a workflow.
		for (int i = 0; i < 12; i++) {
			add(hour, "success", BigDecimal.valueOf(1L << (2 * i)).movePointLeft(6).toPlainString(), 10L << i, EARLY,
					1);
		}
		String before = hour.toString();
		int dense = hour.weight();

		WorkflowTotals compacted = hour.copy().compact();
		assertThat(compacted).hasToString(before);
		assertThat(compacted.p95Cost()).isEqualTo(hour.p95Cost());
		assertThat(compacted.p95DurationMs()).isEqualTo(hour.p95DurationMs());
		assertThat(compacted.weight()).as("the memory held, not the range of bins").isLessThan(dense / 5);
		// Merging a compacted value into another, as a request does with cached ones.
		WorkflowTotals twice = hour.copy();
		twice.merge(compacted);
		WorkflowTotals expected = hour.copy();
		expected.merge(hour);
		assertThat(twice).hasToString(expected.toString());
		assertThat(compacted).as("what is merged from is unchanged").hasToString(before);
	}

	private static void add(WorkflowTotals totals, String status, String cost, Long durationMs, Instant startedAt,
			int sign) {
		totals.add(RunStatus.of(status), new BigDecimal(cost), durationMs, 10, 20, 3, 2, startedAt, sign);
	}

}
