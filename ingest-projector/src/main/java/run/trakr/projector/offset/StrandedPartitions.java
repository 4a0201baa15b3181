package run.trakr.projector.offset;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code offsets} health: partitions whose stored next offset lies beyond the partition's
 * end in Kafka. That happens when the topic was deleted and created again, or its data
 * lost, while PostgreSQL kept the projection's offsets: Kafka's consumer then starts the
 * partition over from offset 0, and every record would fall below the stored offset and
 * be dropped as already projected. Such a partition is paused instead (its records stay
 * in Kafka), health goes DOWN with the reason, and an error is logged once a minute until
 * an operator resets the offsets ({@code trakr-projector offsets --reset-beyond-end}) and
 * restarts the projector.
 */
@Component("offsets")
public class StrandedPartitions implements HealthIndicator, AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(StrandedPartitions.class);

	static final Duration REMINDER = Duration.ofMinutes(1);

	/** A partition that is not projected, and why. */
	public record Stranded(long storedNextOffset, long endOffset) {

		String reason() {
			return "stored next offset " + this.storedNextOffset + " is beyond the partition's end " + this.endOffset
					+ " (topic recreated or data lost); paused. Check, then run "
					+ "trakr-projector offsets --reset-beyond-end and restart (README, \"Offsets beyond the end\")";
		}

	}

	private final Map<TopicPartition, Stranded> stranded = new ConcurrentHashMap<>();

	private final ScheduledExecutorService reminders = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "stranded-partitions");
		thread.setDaemon(true);
		return thread;
	});

	public StrandedPartitions() {
		this.reminders.scheduleAtFixedRate(this::remind, REMINDER.toSeconds(), REMINDER.toSeconds(), TimeUnit.SECONDS);
	}

	/**
	 * Called when a batch had records below their partition's stored offset: either
	 * redelivery after a rebalance (normal, they were projected) or a partition that
	 * starts over below its stored offset. Asks Kafka for the partitions' ends and pauses
	 * those whose stored offset lies beyond it.
	 */
	public void check(Consumer<?, ?> consumer, String topic, Map<Integer, Long> storedNextOffsets) {
		Set<TopicPartition> partitions = storedNextOffsets.keySet()
			.stream()
			.map(partition -> new TopicPartition(topic, partition))
			.collect(Collectors.toSet());
		Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
		ends.forEach((partition, end) -> {
			long stored = storedNextOffsets.get(partition.partition());
			if (stored > end) {
				consumer.pause(Set.of(partition));
				Stranded now = new Stranded(stored, end);
				if (!now.equals(this.stranded.put(partition, now))) {
					logger.error("Partition {}: {}", partition, now.reason());
				}
			}
		});
	}

	@Override
	public Health health() {
		if (this.stranded.isEmpty()) {
			return Health.up().build();
		}
		Map<String, String> reasons = new TreeMap<>();
		this.stranded.forEach((partition, why) -> reasons.put(partition.toString(), why.reason()));
		return Health.down().withDetails(Map.of("stranded", reasons)).build();
	}

	private void remind() {
		this.stranded
			.forEach((partition, why) -> logger.error("Partition {} still not projected: {}", partition, why.reason()));
	}

	@Override
	public void close() {
		this.reminders.shutdownNow();
	}

}
