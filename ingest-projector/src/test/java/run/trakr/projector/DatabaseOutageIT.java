package run.trakr.projector;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projectortest.support.ExpectedProjection;
import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.schematest.support.IngestPopulation;

import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL stops while events keep arriving and starts again: the projector retries on
 * its own, shows the wait as lag, and ends with exactly the generated runs.
 */
@ExtendWith(LocalStackExtension.class)
class DatabaseOutageIT {

	@Test
	void aDatabaseOutageDelaysProjectionAndLosesOrDoublesNothing(LocalStack stack) throws Exception {
		IngestPopulation population = IngestPopulation.generate(5150L, 300);
		List<IngestPopulation.Record> records = population.shuffled(3);
		int half = records.size() / 2;
		String topic = ProjectorInstance.newTopic(stack, 3);
		// Without a connection, fail a batch after 1 s instead of waiting 30 s for one.
		Map<String, String> impatient = Map.of("spring.datasource.hikari.connection-timeout", "1000");
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, stack.createDatabase(), impatient)) {
			// A consumer joining late would rebalance in the middle of the outage.
			await().atMost(Duration.ofSeconds(30)).until(projector::everyConsumerAssigned);
			Map<Integer, Long> firstHalf = ProjectorInstance.publish(stack, topic, records.subList(0, half));
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(firstHalf));

			Map<Integer, Long> ends = new HashMap<>(firstHalf);
			stack.stopPostgres();
			try {
				ProjectorInstance.publish(stack, topic, records.subList(half, records.size()))
					.forEach((partition, end) -> ends.merge(partition, end, Math::max));
				await().atMost(Duration.ofSeconds(30))
					.until(() -> sum(projector, "trakr.projector.lag.records") > 0
							&& sum(projector, "trakr.projector.lag.seconds") > 0);
				await().atMost(Duration.ofSeconds(30))
					.until(() -> projector.meters().get("trakr.projector.batch.retries").counter().count() >= 2);
			}
			finally {
				stack.restartPostgres();
			}

			await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> projector.caughtUpWith(ends));
			ExpectedProjection.assertProjected(projector.db(), population);
			await().atMost(Duration.ofSeconds(10)).until(() -> sum(projector, "trakr.projector.lag.records") == 0);
		}
	}

	private static double sum(ProjectorInstance projector, String gauge) {
		return projector.meters().find(gauge).gauges().stream().mapToDouble(Gauge::value).sum();
	}

}
