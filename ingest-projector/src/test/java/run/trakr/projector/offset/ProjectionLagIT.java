package run.trakr.projector.offset;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

@ExtendWith(LocalStackExtension.class)
class ProjectionLagIT {

	/** Every generated event's {@code occurred_at}. */
	private static final Instant OCCURRED_AT = Instant.parse("2026-11-28T00:00:00Z");

	@Test
	void aBacklogShowsAsRecordsAndEventTimeBehindPerPartitionUntilCaughtUp(LocalStack stack) throws Exception {
		IngestPopulation population = IngestPopulation.generate(7, 3_000);
		String topic = ProjectorInstance.newTopic(stack, 2);
		Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic, population.shuffled(7));
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, stack.createDatabase())) {
			List<double[]> behind = new ArrayList<>();
			while (!projector.caughtUpWith(ends)) {
				for (Gauge records : projector.meters().find("trakr.projector.lag.records").gauges()) {
					// Registered just after the records gauge, and both go on a
					// rebalance:
					// a sample without it is skipped, not a failure.
					Gauge seconds = projector.meters()
						.find("trakr.projector.lag.seconds")
						.tags(records.getId().getTags())
						.gauge();
					if (seconds != null) {
						behind.add(new double[] { records.value(), seconds.value() });
					}
				}
				Thread.sleep(5);
			}
			double expectedSeconds = Duration.between(OCCURRED_AT, Instant.now()).toSeconds();
			assertThat(behind).as("samples with records waiting").anySatisfy(sample -> {
				assertThat(sample[0]).isPositive();
				assertThat(sample[1]).isCloseTo(expectedSeconds, offset(120.0));
			});
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				assertThat(projector.meters().find("trakr.projector.lag.records").gauges()).hasSize(2)
					.allSatisfy(gauge -> assertThat(gauge.value()).isZero());
				assertThat(projector.meters().find("trakr.projector.lag.seconds").gauges()).hasSize(2)
					.allSatisfy(gauge -> assertThat(gauge.value()).isZero());
			});
		}
	}

}
