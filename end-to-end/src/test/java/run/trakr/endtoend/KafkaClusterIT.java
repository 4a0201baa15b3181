package run.trakr.endtoend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.KafkaCluster;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.schematest.support.IngestPopulation;
import run.trakr.schematest.support.IngestPopulation.ExpectedRun;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.DEAD_LETTERS;
import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;
import static run.trakr.schema.jooq.Tables.RUNS;

/**
 * The packaged projector on a three-broker cluster (replication factor 3, two in sync):
 * the broker leading the most partitions stops in the middle of a stream of about 50,000
 * events and comes back later; every run ends up exactly as its events say (nothing lost,
 * nothing counted twice), {@code verify} finds no rollup that differs, and every bad
 * record reached the dead-letter topic.
 */
@ExtendWith(LocalStackExtension.class)
class KafkaClusterIT {

	@Test
	void theProjectionRidesOutTheLossOfALeadingBroker(LocalStack stack) throws Exception {
		IngestPopulation population = IngestPopulation.generate(1603L, 2400);
		List<IngestPopulation.Record> records = new ArrayList<>(population.shuffled(7));
		Set<String> bad = new HashSet<>();
		for (int i = 0; i < 40; i++) {
			String value = "{\"event_type\": \"run_started\", \"broken\": " + i;
			bad.add(value);
			records.add(i * (records.size() / 40), new IngestPopulation.Record("bad-" + i, value));
		}
		try (KafkaCluster kafka = stack.startKafkaCluster();
				ReadApiInstance api = ReadApiInstance.start(stack, Map.of())) {
			String topic = "ingest-" + System.nanoTime();
			kafka.createTopic(topic, 6);
			DSLContext db = api.context().getBean(DSLContext.class);
			int half = records.size() / 2;
			try (ProjectorProcess projector = ProjectorProcess.start(stack, topic, kafka.springProperties())) {
				// End offsets, not the record count: a send retried while leaders move
				// may
				// be written twice (the projector drops the copy).
				Map<Integer, Long> ends = new HashMap<>(
						IngestPopulation.publish(kafka.bootstrapServers(), topic, records.subList(0, half)));
				int leader = kafka.leaderOfMostPartitions(topic);
				kafka.stop(leader);
				ends.putAll(IngestPopulation.publish(kafka.bootstrapServers(), topic,
						records.subList(half, records.size())));
				Thread.sleep(2_000);
				kafka.restart(leader);
				projector.awaitProjected(db, topic, ends.values().stream().mapToLong(Long::longValue).sum());

				Map<String, ExpectedRun> expected = population.expectedRuns();
				var rows = db
					.select(RUNS.ORG_ID, RUNS.RUN_ID, RUNS.STATUS, RUNS.COST_USD, RUNS.LLM_CALL_COUNT,
							RUNS.TOOL_USE_COUNT, RUNS.INPUT_TOKENS, RUNS.OUTPUT_TOKENS)
					.from(RUNS)
					.where(RUNS.ORG_ID.in(population.orgs()))
					.fetch();
				assertThat(rows).hasSize(expected.size());
				for (Record row : rows) {
					ExpectedRun run = expected.get(row.get(RUNS.ORG_ID) + "/" + row.get(RUNS.RUN_ID));
					assertThat(run).as("a run no event made").isNotNull();
					assertThat(row.get(RUNS.STATUS)).isEqualTo(run.status());
					assertThat(row.get(RUNS.COST_USD)).isEqualByComparingTo(run.costUsd());
					assertThat(row.get(RUNS.LLM_CALL_COUNT)).isEqualTo(run.llmCallCount());
					assertThat(row.get(RUNS.TOOL_USE_COUNT)).isEqualTo(run.toolUseCount());
					assertThat(row.get(RUNS.INPUT_TOKENS)).isEqualTo(run.inputTokens());
					assertThat(row.get(RUNS.OUTPUT_TOKENS)).isEqualTo(run.outputTokens());
				}
				assertThat(ProjectorProcess.verify(stack)).contains("0 rollup bucket(s) differ");
				// The projector relays its stored dead letters after each batch: it runs
				// on.
				assertThat(deadLetters(kafka, topic + ".dlq", bad.size()))
					.as("dead letters (%d still stored, %d seen by the projector)", db.fetchCount(DEAD_LETTERS),
							projectedOffsets(db, topic))
					.containsAll(bad);
			}
		}
	}

	private static long projectedOffsets(DSLContext db, String topic) {
		return db.select(org.jooq.impl.DSL.sum(PROJECTOR_OFFSETS.NEXT_OFFSET))
			.from(PROJECTOR_OFFSETS)
			.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
			.fetchOne(0, Long.class);
	}

	/** The values on the dead-letter topic, once at least {@code expected} arrived. */
	private static Set<String> deadLetters(KafkaCluster kafka, String topic, int expected) {
		Set<String> values = new HashSet<>();
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG,
				"dlq-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
				ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
			consumer.subscribe(List.of(topic));
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (values.size() < expected && System.nanoTime() < deadline) {
				consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
			}
		}
		return values;
	}

}
