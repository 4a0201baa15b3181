package run.trakr.demo.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes agent-run traffic for one org to the ingest topic, as the SDK ingest path
 * would: first a back-fill of past days (published at once), then live runs whose events
 * go out when they happen, so runs are seen {@code running} and finish later.
 */
public final class TrafficSimulator implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(TrafficSimulator.class);

	private final KafkaProducer<byte[], byte[]> producer;

	private final String topic;

	private final AgentRuns runs;

	private final Random random;

	/** Events not yet due, soonest first. Guarded by {@code this}. */
	private final PriorityQueue<TimedEvent> pending = new PriorityQueue<>(Comparator.comparing(TimedEvent::at));

	private final AtomicLong published = new AtomicLong();

	private volatile boolean paused;

	private volatile boolean closed;

	private Thread live;

	public TrafficSimulator(String bootstrapServers, String topic, UUID org, long seed) {
		this.producer = new KafkaProducer<>(
				// acks=all with idempotence: safe on a replicated cluster (no loss when a
				// leader moves, no duplicate from a retried send).
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all",
						ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 20,
						ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
				new ByteArraySerializer(), new ByteArraySerializer());
		this.topic = topic;
		this.random = new Random(seed);
		this.runs = new AgentRuns(org, this.random);
	}

	/**
	 * Publishes {@code count} runs started over the {@code span} before {@code now}, more
	 * of them in working hours; events still in the future (a run not yet finished, an
	 * alert not yet resolved) are kept for {@link #startLive}. Returns when Kafka has
	 * them.
	 */
	public void backfill(Duration span, int count, Instant now) {
		List<TimedEvent> due = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Instant startedAt = now.minus(span).plusMillis((long) (this.random.nextDouble() * span.toMillis()));
			int hour = startedAt.atZone(java.time.ZoneOffset.UTC).getHour();
			if ((hour < 7 || hour > 19) && this.random.nextInt(3) != 0) {
				// Quieter at night: move two in three night runs into the working day.
				startedAt = startedAt.plus(Duration.ofHours(12));
				if (startedAt.isAfter(now)) {
					startedAt = startedAt.minus(Duration.ofDays(1));
				}
			}
			for (TimedEvent event : this.runs.run(startedAt)) {
				if (event.at().isAfter(now)) {
					schedule(event);
				}
				else {
					due.add(event);
				}
			}
		}
		due.sort(Comparator.comparing(TimedEvent::at));
		due.forEach(this::send);
		this.producer.flush();
		logger.info("Back-filled {} runs over {} ({} events)", count, span, due.size());
	}

	/**
	 * Starts a new run about every {@code 60 / runsPerMinute} seconds (none if 0) and
	 * publishes every event when it is due, until closed.
	 */
	public synchronized void startLive(double runsPerMinute) {
		double meanGapMillis = runsPerMinute > 0 ? 60_000 / runsPerMinute : Double.POSITIVE_INFINITY;
		this.live = new Thread(() -> {
			Instant nextRun = runsPerMinute > 0 ? Instant.now() : Instant.MAX;
			while (!this.closed) {
				Instant now = Instant.now();
				if (!this.paused) {
					if (!now.isBefore(nextRun)) {
						this.runs.run(now).forEach(this::schedule);
						// Exponential gaps: arrivals of a Poisson process.
						nextRun = now.plusMillis((long) (-Math.log(1 - this.random.nextDouble()) * meanGapMillis));
					}
					publishDue(now);
				}
				sleep(50);
			}
		}, "traffic-simulator");
		this.live.setDaemon(true);
		this.live.start();
	}

	/**
	 * Stops publishing (pending events wait) until {@link #resume()}; returns once quiet.
	 */
	public void pause() {
		this.paused = true;
		sleep(200);
		this.producer.flush();
	}

	public void resume() {
		this.paused = false;
	}

	/** Records handed to Kafka so far (duplicates included). */
	public long published() {
		return this.published.get();
	}

	private synchronized void schedule(TimedEvent event) {
		this.pending.add(event);
	}

	private void publishDue(Instant now) {
		List<TimedEvent> due = new ArrayList<>();
		synchronized (this) {
			while (!this.pending.isEmpty() && !this.pending.peek().at().isAfter(now)) {
				due.add(this.pending.poll());
			}
		}
		due.forEach(this::send);
	}

	private void send(TimedEvent event) {
		this.producer.send(new ProducerRecord<>(this.topic, event.key().getBytes(StandardCharsets.UTF_8),
				event.json().getBytes(StandardCharsets.UTF_8)), (metadata, failure) -> {
					if (failure != null) {
						logger.warn("Could not publish an event: {}", failure.toString());
					}
				});
		this.published.incrementAndGet();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		this.closed = true;
		if (this.live != null) {
			try {
				this.live.join(2000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.producer.close(Duration.ofSeconds(5));
	}

}
