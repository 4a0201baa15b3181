package run.trakr.projectortest.support;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jooq.DSLContext;
import run.trakr.localstack.LocalStack;
import run.trakr.schematest.support.IngestPopulation;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import run.trakr.projector.IngestProjectorApplication;
import run.trakr.projector.deadletter.DeadLetters;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;

/**
 * A projector on its own topic and its own empty database, so that tests never see each
 * other's events, and the helpers to feed it.
 */
public final class ProjectorInstance implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private final String topic;

	private ProjectorInstance(ConfigurableApplicationContext context, String topic) {
		this.context = context;
		this.topic = topic;
	}

	public static String newTopic(LocalStack stack, int partitions) {
		return IngestPopulation.newTopic(stack, partitions);
	}

	public static ProjectorInstance start(LocalStack stack, String topic, String jdbcUrl) {
		return start(stack, topic, jdbcUrl, Map.of());
	}

	/** As {@link #start(LocalStack, String, String)}, with some properties overridden. */
	public static ProjectorInstance start(LocalStack stack, String topic, String jdbcUrl,
			Map<String, String> overrides) {
		Map<String, String> properties = properties(stack, topic, jdbcUrl);
		properties.putAll(overrides);
		List<String> arguments = new ArrayList<>();
		properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
		return new ProjectorInstance(
				new SpringApplicationBuilder(IngestProjectorApplication.class).run(arguments.toArray(String[]::new)),
				topic);
	}

	/**
	 * As {@link #start(LocalStack, String, String)}, on {@code clock} instead of the
	 * system's (the decoder's "future" check, retention, freshness).
	 */
	public static ProjectorInstance start(LocalStack stack, String topic, String jdbcUrl, Clock clock) {
		return start(stack, topic, jdbcUrl, clock, Map.of());
	}

	/**
	 * As {@link #start(LocalStack, String, String, Clock)}, with some properties
	 * overridden.
	 */
	public static ProjectorInstance start(LocalStack stack, String topic, String jdbcUrl, Clock clock,
			Map<String, String> overrides) {
		Map<String, String> properties = properties(stack, topic, jdbcUrl);
		properties.putAll(overrides);
		List<String> arguments = new ArrayList<>();
		properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
		return new ProjectorInstance(new SpringApplicationBuilder(IngestProjectorApplication.class)
			.initializers((GenericApplicationContext context) -> context.registerBean("settableClock", Clock.class,
					() -> clock, definition -> definition.setPrimary(true)))
			.run(arguments.toArray(String[]::new)), topic);
	}

	/**
	 * The settings of a projector on its own topic, dead-letter topic, group and
	 * database.
	 */
	public static Map<String, String> properties(LocalStack stack, String topic, String jdbcUrl) {
		Map<String, String> properties = new HashMap<>(stack.springProperties());
		properties.put("spring.datasource.url", jdbcUrl);
		properties.put("trakr.projector.topic", topic);
		properties.put("trakr.projector.dead-letter-topic", topic + ".dlq");
		properties.put("spring.kafka.consumer.group-id", "projector-" + topic);
		properties.put("spring.kafka.consumer.max-poll-records", "500");
		properties.put("server.port", "0");
		return properties;
	}

	/**
	 * Publishes the records in order; returns the end offset of every partition written.
	 */
	public static Map<Integer, Long> publish(LocalStack stack, String topic, List<IngestPopulation.Record> records) {
		return IngestPopulation.publish(stack, topic, records);
	}

	/** True once every partition's stored offset has reached its end. */
	public boolean caughtUpWith(Map<Integer, Long> ends) {
		Map<Integer, Long> stored = db().select(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET)
			.from(PROJECTOR_OFFSETS)
			.where(PROJECTOR_OFFSETS.TOPIC.eq(this.topic))
			.fetchMap(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET);
		return ends.entrySet().stream().allMatch(end -> stored.getOrDefault(end.getKey(), 0L) >= end.getValue());
	}

	/**
	 * True once every consumer of this instance has partitions: the group has settled, so
	 * no rebalance is still to come (needs at least as many partitions as consumers).
	 */
	public boolean everyConsumerAssigned() {
		ConcurrentMessageListenerContainer<?, ?> container = (ConcurrentMessageListenerContainer<?, ?>) this.context
			.getBean(KafkaListenerEndpointRegistry.class)
			.getListenerContainer("ingest-projector");
		return container.getContainers().stream().allMatch(consumer -> {
			var assigned = consumer.getAssignedPartitions();
			return assigned != null && !assigned.isEmpty();
		});
	}

	/**
	 * The reasons of the first {@code expected} records on this projector's dead-letter
	 * topic (fewer if they do not come within 30 s), each checked to name its origin.
	 */
	public List<String> deadLetterReasons(LocalStack stack, int expected) {
		String topic = this.topic + ".dlq";
		List<String> reasons = new ArrayList<>();
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
				ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG,
				"dlq-reader-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
				ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
			consumer.subscribe(List.of(topic));
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (reasons.size() < expected && System.nanoTime() < deadline) {
				for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
					reasons.add(new String(record.headers().lastHeader(DeadLetters.REASON_HEADER).value(),
							StandardCharsets.UTF_8));
					assertThat(record.headers().lastHeader(DeadLetters.ORIGIN_HEADER)).isNotNull();
				}
			}
		}
		return reasons;
	}

	public DSLContext db() {
		return this.context.getBean(DSLContext.class);
	}

	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	public MeterRegistry meters() {
		return this.context.getBean(MeterRegistry.class);
	}

	public String topic() {
		return this.topic;
	}

	@Override
	public void close() {
		this.context.close();
	}

}
