package run.trakr.projector.offset;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.schematest.support.IngestPopulation;
import run.trakr.projectortest.support.ExpectedProjection;
import run.trakr.projectortest.support.ProjectorInstance;

import static org.awaitility.Awaitility.await;

@ExtendWith(LocalStackExtension.class)
class RebalanceIT {

	@Test
	void aProjectorJoiningAndAnotherLeavingMidStreamChangeNothing(LocalStack stack) {
		IngestPopulation population = IngestPopulation.generate(99L, 150);
		List<IngestPopulation.Record> records = population.shuffled(5);
		int third = records.size() / 3;
		String topic = ProjectorInstance.newTopic(stack, 4);
		String database = stack.createDatabase();
		Map<Integer, Long> ends = new HashMap<>();
		ProjectorInstance second;
		try (ProjectorInstance first = ProjectorInstance.start(stack, topic, database)) {
			merge(ends, ProjectorInstance.publish(stack, topic, records.subList(0, third)));
			second = ProjectorInstance.start(stack, topic, database);
			merge(ends, ProjectorInstance.publish(stack, topic, records.subList(third, 2 * third)));
		}
		try (second) {
			merge(ends, ProjectorInstance.publish(stack, topic, records.subList(2 * third, records.size())));
			await().atMost(Duration.ofSeconds(90)).until(() -> second.caughtUpWith(ends));

			ExpectedProjection.assertProjected(second.db(), population);
		}
	}

	private static void merge(Map<Integer, Long> ends, Map<Integer, Long> more) {
		more.forEach((partition, end) -> ends.merge(partition, end, Math::max));
	}

}
