package run.trakr.projector;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projectortest.support.ExpectedProjection;
import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.schematest.support.IngestPopulation;

import static org.awaitility.Awaitility.await;

/**
 * The Kafka broker stops and starts again: the projector reconnects by itself and
 * projects what was published afterwards, ending with exactly the generated runs.
 */
@ExtendWith(LocalStackExtension.class)
class KafkaOutageIT {

	@Test
	void theProjectorReconnectsAfterTheBrokerReturns(LocalStack stack) throws Exception {
		IngestPopulation population = IngestPopulation.generate(8086L, 200);
		List<IngestPopulation.Record> records = population.shuffled(5);
		int half = records.size() / 2;
		String topic = ProjectorInstance.newTopic(stack, 3);
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, stack.createDatabase())) {
			Map<Integer, Long> ends = new HashMap<>(ProjectorInstance.publish(stack, topic, records.subList(0, half)));
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(ends));

			stack.stopKafka();
			try {
				// Long enough for the consumer to notice and start reconnecting.
				Thread.sleep(5_000);
			}
			finally {
				stack.restartKafka();
			}

			ProjectorInstance.publish(stack, topic, records.subList(half, records.size()))
				.forEach((partition, end) -> ends.merge(partition, end, Math::max));
			await().atMost(Duration.ofSeconds(90)).until(() -> projector.caughtUpWith(ends));
			ExpectedProjection.assertProjected(projector.db(), population);
		}
	}

}
