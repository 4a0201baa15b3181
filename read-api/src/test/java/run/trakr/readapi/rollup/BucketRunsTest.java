package run.trakr.readapi.rollup;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import run.trakr.schema.RunStatus;

import static org.assertj.core.api.Assertions.assertThat;

class BucketRunsTest {

	private static final Instant BUCKET = Instant.parse("2026-11-01T03:00:00Z");

	private final BucketRuns runs = new BucketRuns(
			List.of(run("b", 120), run("a", 0), run("a", 60), run("a", 60), run("b", 299.999999), run("a", 180)));

	@Test
	void equalSpansHoldTheSameRunsAndAnyRunCrossingAnEndChangesTheSpan() {
		long minuteOneToThree = this.runs.span(BUCKET.plusSeconds(60), BUCKET.plusSeconds(180));
		assertThat(this.runs.span(BUCKET.plusSeconds(30), BUCKET.plusSeconds(150))).isEqualTo(minuteOneToThree);
		assertThat(this.runs.span(BUCKET.plusSeconds(61), BUCKET.plusSeconds(180))).isNotEqualTo(minuteOneToThree);
		assertThat(this.runs.span(BUCKET.plusSeconds(60), BUCKET.plusSeconds(181))).isNotEqualTo(minuteOneToThree);
		assertThat(this.runs.span(BUCKET.plusSeconds(61), BUCKET.plusSeconds(119)))
			.as("empty spans at different places differ too")
			.isNotEqualTo(this.runs.span(BUCKET.plusSeconds(121), BUCKET.plusSeconds(179)));
	}

	@Test
	void findsTheRunsStartedInAHalfOpenIntervalWhateverTheirStoredOrder() {
		assertThat(startsIn(BUCKET, BUCKET.plusSeconds(300), null)).containsExactly(0L, 60_000_000L, 60_000_000L,
				120_000_000L, 180_000_000L, 299_999_999L);
		assertThat(startsIn(BUCKET.plusSeconds(60), BUCKET.plusSeconds(180), null)).containsExactly(60_000_000L,
				60_000_000L, 120_000_000L);
		assertThat(startsIn(BUCKET.plusSeconds(61), BUCKET.plusSeconds(119), null)).isEmpty();
		assertThat(startsIn(BUCKET.plusSeconds(300), BUCKET.plusSeconds(400), null)).isEmpty();
	}

	@Test
	void keepsToOneWorkflowWhenAsked() {
		assertThat(startsIn(BUCKET, BUCKET.plusSeconds(300), "b")).containsExactly(120_000_000L, 299_999_999L);
	}

	/** Microseconds into the bucket of each run found, in order. */
	private List<Long> startsIn(Instant from, Instant until, String workflow) {
		List<Long> starts = new ArrayList<>();
		this.runs.forEachIn(from, until, workflow,
				(run) -> starts.add(Duration.between(BUCKET, run.startedAt()).toNanos() / 1000));
		return starts;
	}

	private static BucketRuns.Run run(String workflow, double secondsIntoBucket) {
		long micros = Math.round(secondsIntoBucket * 1e6);
		return new BucketRuns.Run(workflow, RunStatus.SUCCESS, BigDecimal.ONE, 1000L, 1, 1, 1, 0,
				BUCKET.plusNanos(micros * 1000));
	}

}
