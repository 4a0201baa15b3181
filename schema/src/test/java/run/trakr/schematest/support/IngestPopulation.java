package run.trakr.schematest.support;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import run.trakr.localstack.LocalStack;

import run.trakr.schema.RunStatus;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.AlertFired;
import run.trakr.schema.event.IngestEvent.AlertResolved;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.event.IngestEvent.EndStatus;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.event.IngestEventEncoder;

/**
 * A generated population of agent runs, kept twice: as the ingest records an SDK would
 * publish (with exact duplicates, in an order of the caller's choosing) and as the run
 * rows those records must produce, computed here from the generated facts, not from the
 * records.
 */
public final class IngestPopulation {

	/** One record to publish: the Kafka key and the JSON value. */
	public record Record(String key, String value) {
	}

	/** What a run row must end up holding, and the calls and tool uses behind it. */
	public record ExpectedRun(UUID orgId, UUID runId, String workflowName, Instant startedAt, UUID parentRunId,
			String status, Instant endedAt, BigDecimal costUsd, long inputTokens, long outputTokens, int llmCallCount,
			int toolUseCount, Long durationMs, List<ExpectedToolUse> toolUses, String runIdExternal,
			List<ExpectedLlmCall> llmCalls) {

		public boolean completed() {
			return !"running".equals(this.status);
		}

		public boolean failed() {
			return completed() && !"success".equals(this.status);
		}

	}

	/** One generated LLM call. */
	public record ExpectedLlmCall(UUID callId, String model, String provider, long inputTokens, long outputTokens,
			BigDecimal costUsd, long latencyMs, boolean error, Instant startedAt) {
	}

	/** One generated tool use. */
	public record ExpectedToolUse(String toolName, boolean error, long durationMs, UUID toolEventId,
			Instant startedAt) {
	}

	/** What an alert row must end up holding. */
	public record ExpectedAlert(UUID orgId, UUID alertEventId, String ruleId, Instant firedAt, Instant resolvedAt,
			String ruleName, UUID runId, String workflowName, BigDecimal triggeredValue, BigDecimal thresholdValue,
			boolean notificationSent) {
	}

	/**
	 * Workflow names as users write them: slashes, spaces, '%' and non-ASCII included.
	 */
	public static final List<String> WORKFLOWS = List.of("triage", "support/triage v2", "résumé 100%",
			"nightly-report");

	private static final String[] MODELS = { "gpt-4o-mini", "claude-haiku", "gpt-4o" };

	private static final Instant OCCURRED_AT = Instant.parse("2026-11-28T00:00:00Z");

	/** How long one record may take to be acknowledged, retries included. */
	private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);

	private final List<Record> records = new ArrayList<>();

	private final Map<String, ExpectedRun> runs = new LinkedHashMap<>();

	private final List<ExpectedAlert> alerts = new ArrayList<>();

	private IngestPopulation() {
	}

	/**
	 * The raw days an org registered for a population's events keeps: the longest horizon
	 * the schema allows. The populations are dated (2026), so on a plan's default horizon
	 * the projector would turn their events away as expired once the calendar has moved
	 * on (docs/retention.md).
	 */
	public static final int RETENTION_DAYS = 1100;

	/** {@code runCount} runs per org in two orgs that share some run ids. */
	public static IngestPopulation generate(long seed, int runCount) {
		return generate(seed, runCount, Instant.parse("2026-11-20T00:00:00Z"));
	}

	/** The same, the runs started in the 7 days from {@code base}. */
	public static IngestPopulation generate(long seed, int runCount, Instant base) {
		Random random = new Random(seed);
		IngestPopulation population = new IngestPopulation();
		UUID[] orgs = { UUID.randomUUID(), UUID.randomUUID() };
		List<UUID> sharedRunIds = new ArrayList<>();
		for (int i = 0; i < runCount / 4; i++) {
			sharedRunIds.add(UUID.randomUUID());
		}
		for (UUID org : orgs) {
			List<UUID> runIds = new ArrayList<>();
			for (int i = 0; i < runCount; i++) {
				UUID runId = (i < sharedRunIds.size()) ? sharedRunIds.get(i) : UUID.randomUUID();
				// Children at several depths: the parent is an earlier run of the same
				// org.
				UUID parent = (i > 3 && random.nextInt(3) == 0) ? runIds.get(random.nextInt(runIds.size())) : null;
				population.addRun(random, org, runId, parent, base.plusSeconds(random.nextInt(7 * 86400)));
				runIds.add(runId);
			}
			for (int i = 0; i < runCount / 5; i++) {
				population.addAlert(random, org, runIds.get(random.nextInt(runIds.size())),
						base.plusSeconds(random.nextInt(7 * 86400)));
			}
		}
		return population;
	}

	/**
	 * The records, in a random order of the given seed; the same run's events spread
	 * through it.
	 */
	public List<Record> shuffled(long seed) {
		List<Record> copy = new ArrayList<>(this.records);
		Collections.shuffle(copy, new Random(seed));
		return copy;
	}

	public Map<String, ExpectedRun> expectedRuns() {
		return this.runs;
	}

	public List<ExpectedAlert> expectedAlerts() {
		return this.alerts;
	}

	/** The two generated orgs, in order. */
	public List<UUID> orgs() {
		return this.runs.values().stream().map(ExpectedRun::orgId).distinct().toList();
	}

	/**
	 * Creates a fresh ingest topic and its dead-letter topic; returns the topic's name.
	 */
	public static String newTopic(LocalStack stack, int partitions) {
		String topic = "ingest-" + System.nanoTime();
		try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrapServers()))) {
			admin
				.createTopics(
						List.of(new NewTopic(topic, partitions, (short) 1), new NewTopic(topic + ".dlq", 1, (short) 1)))
				.all()
				.get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		return topic;
	}

	/**
	 * Publishes the records in order; returns the end offset of every partition written.
	 */
	public static Map<Integer, Long> publish(LocalStack stack, String topic, List<Record> records) {
		return publish(stack.kafkaBootstrapServers(), topic, records);
	}

	/** {@link #publish(LocalStack, String, List)} to any brokers (a cluster's, say). */
	public static Map<Integer, Long> publish(String bootstrapServers, String topic, List<Record> records) {
		Map<Integer, Long> ends = new HashMap<>();
		// A produce request the broker leaves unanswered is retried only after
		// request.timeout.ms (30 s), so the wait must outlast a retry:
		// delivery.timeout.ms
		// bounds every send, and the overall deadline only guards against a hang.
		// Not idempotent: after the local broker restarted (KafkaOutageIT) it handed a
		// new
		// producer the id an earlier one had used, and every send then failed with
		// OutOfOrderSequenceException until the delivery timeout. One request in flight
		// keeps the order through retries instead; the projector drops any duplicate.
		Map<String, Object> config = Map.ofEntries(Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
				Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class),
				Map.entry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class),
				Map.entry(ProducerConfig.LINGER_MS_CONFIG, 5),
				Map.entry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis()),
				Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false),
				Map.entry(ProducerConfig.ACKS_CONFIG, "all"),
				Map.entry(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1));
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
			// Waits (max.block.ms) until the new topic's leaders are known, so a slow
			// metadata update fails here, by name, rather than as an unacknowledged
			// record.
			producer.partitionsFor(topic);
			List<Future<RecordMetadata>> sent = new ArrayList<>();
			for (Record record : records) {
				sent.add(producer.send(new ProducerRecord<>(topic, record.key(), record.value())));
			}
			long deadline = System.nanoTime() + DELIVERY_TIMEOUT.plusSeconds(30).toNanos();
			for (int i = 0; i < sent.size(); i++) {
				RecordMetadata metadata;
				try {
					metadata = sent.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				}
				catch (Exception ex) {
					throw new IllegalStateException("record " + i + " of " + sent.size() + " to " + topic
							+ " not acknowledged: " + rootCause(ex), ex);
				}
				ends.merge(metadata.partition(), metadata.offset() + 1, Math::max);
			}
		}
		return ends;
	}

	/** CI keeps only the summary line of a failure: the cause goes into it. */
	private static String rootCause(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause.getClass().getSimpleName() + ": " + cause.getMessage();
	}

	public int recordCount() {
		return this.records.size();
	}

	/**
	 * SDK clocks tick in milliseconds, microseconds or nanoseconds: the instant with a
	 * random fraction of a millisecond at one of those precisions.
	 */
	private static Instant sdkClock(Random random, Instant at) {
		long nanos = random.nextInt(1_000_000);
		return switch (random.nextInt(3)) {
			case 0 -> at;
			case 1 -> at.plusNanos(nanos / 1000 * 1000);
			default -> at.plusNanos(nanos);
		};
	}

	/**
	 * How long a run took, to the nanosecond: now and then one of the lengths where
	 * truncating before or after subtracting gives different milliseconds.
	 */
	private static long runNanos(Random random) {
		if (random.nextInt(5) == 0) {
			long[] edges = { 999_900_000L, 1_000_001_000L, 999_999_999L, 1_000_000_500L, 1_000L, 999_999L };
			return edges[random.nextInt(edges.length)];
		}
		return 1_000_000L + (long) (random.nextDouble() * 600_000_000_000L);
	}

	private void addRun(Random random, UUID org, UUID runId, UUID parent, Instant startedAtSecond) {
		String workflow = WORKFLOWS.get(random.nextInt(WORKFLOWS.size()));
		Instant sent = sdkClock(random, startedAtSecond.plusMillis(random.nextInt(1000)));
		// What the projection keeps: microseconds (ingest-events.md, guarantee 3).
		Instant startedAt = sent.truncatedTo(ChronoUnit.MICROS);
		String external = random.nextBoolean() ? "ext-" + random.nextInt(1_000_000) : null;
		emit(new RunStarted(envelope(org), runId, workflow, sent, Optional.ofNullable(external),
				Optional.ofNullable(parent)), random);
		BigDecimal cost = BigDecimal.ZERO;
		long input = 0;
		long output = 0;
		int calls = random.nextInt(10);
		List<ExpectedLlmCall> llmCalls = new ArrayList<>();
		for (int c = 0; c < calls; c++) {
			ExpectedLlmCall call = new ExpectedLlmCall(UUID.randomUUID(), MODELS[random.nextInt(MODELS.length)],
					random.nextBoolean() ? "openai" : null, random.nextInt(5000), random.nextInt(2000),
					BigDecimal.valueOf(random.nextInt(1_000_000), 7), random.nextInt(3000), random.nextInt(10) == 0,
					startedAt.plusMillis(c * 100L));
			emit(new LlmCallRecorded(envelope(org), runId, call.callId(), call.model(),
					Optional.ofNullable(call.provider()), call.inputTokens(), call.outputTokens(), call.costUsd(),
					call.latencyMs(), call.startedAt(), call.error() ? CallStatus.ERROR : CallStatus.SUCCESS), random);
			llmCalls.add(call);
			cost = cost.add(call.costUsd());
			input += call.inputTokens();
			output += call.outputTokens();
		}
		int tools = random.nextInt(7);
		List<ExpectedToolUse> toolUses = new ArrayList<>();
		for (int t = 0; t < tools; t++) {
			ExpectedToolUse use = new ExpectedToolUse("tool-" + random.nextInt(3), random.nextInt(5) == 0,
					random.nextInt(5000), UUID.randomUUID(), startedAt.plusMillis(t * 150L));
			emit(new ToolUsed(envelope(org), runId, use.toolEventId(), use.toolName(),
					use.error() ? CallStatus.ERROR : CallStatus.SUCCESS, use.durationMs(), use.startedAt()), random);
			toolUses.add(use);
		}
		String status = "running";
		Instant endedAt = null;
		if (random.nextInt(6) != 0) {
			EndStatus end = EndStatus.values()[random.nextInt(EndStatus.values().length)];
			status = RunStatus.of(end).stored();
			Instant endSent = sent.plusNanos(runNanos(random));
			endedAt = endSent.truncatedTo(ChronoUnit.MICROS);
			emit(new RunEnded(envelope(org), runId, end, endSent), random);
		}
		// Whole milliseconds of the stored difference, truncated.
		Long duration = (endedAt != null) ? Duration.between(startedAt, endedAt).toMillis() : null;
		this.runs.put(org + "/" + runId, new ExpectedRun(org, runId, workflow, startedAt, parent, status, endedAt, cost,
				input, output, calls, tools, duration, toolUses, external, llmCalls));
	}

	private void addAlert(Random random, UUID org, UUID runId, Instant firedAt) {
		UUID alertId = UUID.randomUUID();
		String ruleId = "rule-" + random.nextInt(3);
		String workflow = this.runs.get(org + "/" + runId).workflowName();
		BigDecimal triggered = BigDecimal.valueOf(100 + random.nextInt(900), 1);
		BigDecimal threshold = BigDecimal.TEN;
		boolean notified = random.nextBoolean();
		emit(new AlertFired(envelope(org), alertId, ruleId, "Cost spike " + ruleId, Optional.of(runId),
				Optional.of(workflow), triggered, threshold, notified, firedAt), random);
		Instant resolvedAt = null;
		if (random.nextBoolean()) {
			resolvedAt = firedAt.plusSeconds(600);
			emit(new AlertResolved(envelope(org), alertId, resolvedAt), random);
		}
		this.alerts.add(new ExpectedAlert(org, alertId, ruleId, firedAt, resolvedAt, "Cost spike " + ruleId, runId,
				workflow, triggered, threshold, notified));
	}

	/**
	 * Adds the record, keyed by its run (an alert by its own id), and now and then an
	 * exact duplicate of it (an SDK retry).
	 */
	private void emit(IngestEvent event, Random random) {
		String key = IngestEventEncoder.key(event);
		String value = IngestEventEncoder.toJson(event);
		this.records.add(new Record(key, value));
		if (random.nextInt(8) == 0) {
			this.records.add(new Record(key, value));
		}
	}

	private static Envelope envelope(UUID org) {
		return new Envelope(UUID.randomUUID(), org, OCCURRED_AT);
	}

}
