package run.trakr.projector.offset;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.RUNS;

/**
 * The topic is deleted and created again (a {@code docker compose down -v} of Kafka
 * alone, a lost disk) while PostgreSQL keeps the projector's offsets. The new records sit
 * below the stored offsets: the projector must not drop them as already projected, but
 * hold the partition, say so in its health, and project them once an operator has reset
 * the offsets and restarted it.
 */
@ExtendWith(LocalStackExtension.class)
class OffsetsBeyondEndIT {

	@Test
	void aPartitionThatStartedOverIsHeldUntilItsOffsetsAreReset(LocalStack stack) throws Exception {
		String topic = ProjectorInstance.newTopic(stack, 1);
		String database = stack.createDatabase();
		IngestPopulation before = IngestPopulation.generate(41, 60);
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, database)) {
			Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic, before.shuffled(1));
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(ends));
		}
		recreate(stack, topic);
		IngestPopulation after = IngestPopulation.generate(42, 10);
		assertThat(after.recordCount()).isLessThan(before.recordCount());
		Map<Integer, Long> newEnds = ProjectorInstance.publish(stack, topic, after.shuffled(2));

		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, database)) {
			StrandedPartitions stranded = projector.bean(StrandedPartitions.class);
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(stranded.health().getStatus()).isEqualTo(Status.DOWN));
			Health health = stranded.health();
			assertThat(health.getDetails().toString()).contains(topic + "-0",
					"stored next offset " + before.recordCount(), "beyond the partition's end " + newEnds.get(0),
					"--reset-beyond-end");
			assertThat(projector.meters().get("trakr.projector.records.fenced").counter().count()).isPositive();
			assertThat(projector.db().fetchCount(RUNS)).as("nothing of the new topic projected")
				.isEqualTo(before.expectedRuns().size());
			// Held, not dropped: the stored offset did not move past the new records.
			assertThat(projector.caughtUpWith(Map.of(0, (long) before.recordCount() + 1))).isFalse();
		}

		Map<String, String> environment = Map.of("SPRING_DATASOURCE_URL", database, "SPRING_DATASOURCE_USERNAME",
				stack.postgresUser(), "SPRING_DATASOURCE_PASSWORD", stack.postgresPassword(),
				"SPRING_KAFKA_BOOTSTRAPSERVERS", stack.kafkaBootstrapServers());
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		OffsetsCommand offsets = new OffsetsCommand(new PrintStream(output, true, StandardCharsets.UTF_8), environment);
		assertThat(offsets.run("--topic", topic)).isZero();
		assertThat(output.toString(StandardCharsets.UTF_8)).contains("BEYOND THE END", "--reset-beyond-end");
		output.reset();
		assertThat(offsets.run("--topic", topic, "--reset-beyond-end")).isZero();
		assertThat(output.toString(StandardCharsets.UTF_8)).contains("Forgot the stored offsets of 1 partition(s) [0]");

		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, database)) {
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(newEnds));
			assertThat(projector.db().fetchCount(RUNS))
				.isEqualTo(before.expectedRuns().size() + after.expectedRuns().size());
			assertThat(projector.bean(StrandedPartitions.class).health().getStatus()).isEqualTo(Status.UP);
		}
	}

	private static void recreate(LocalStack stack, String topic) throws Exception {
		try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrapServers()))) {
			admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
			// Deletion finishes in the background: creating the same name fails until
			// then.
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
				try {
					admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
					return true;
				}
				catch (ExecutionException ex) {
					if (ex.getCause() instanceof TopicExistsException) {
						return false;
					}
					throw ex;
				}
			});
		}
	}

}
