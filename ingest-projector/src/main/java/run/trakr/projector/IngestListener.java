package run.trakr.projector;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.event.ListenerContainerPartitionIdleEvent;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.stereotype.Component;

import run.trakr.projector.offset.PartitionOffsets;
import run.trakr.projector.offset.ProjectionLag;
import run.trakr.projector.offset.StrandedPartitions;

/**
 * The Kafka entry: hands each polled batch to {@link BatchProjection}, and on assignment
 * seeks each partition to where PostgreSQL says projection stopped (Kafka's committed
 * offsets are only for lag monitoring). A batch with records below their stored offset
 * has {@link StrandedPartitions} check whether the partition started over.
 */
@Component
class IngestListener implements ConsumerSeekAware {

	private final BatchProjection projection;

	private final PartitionOffsets offsets;

	private final ProjectionLag lag;

	private final StrandedPartitions stranded;

	private final Clock clock;

	IngestListener(BatchProjection projection, PartitionOffsets offsets, ProjectionLag lag, StrandedPartitions stranded,
			Clock clock) {
		this.clock = clock;
		this.projection = projection;
		this.offsets = offsets;
		this.lag = lag;
		this.stranded = stranded;
	}

	// The consumer group is spring.kafka.consumer.group-id; the id only names the
	// container.
	@KafkaListener(id = "ingest-projector", idIsGroup = false, topics = "${trakr.projector.topic:trakr.ingest.v1}",
			batch = "true")
	void onBatch(List<ConsumerRecord<byte[], byte[]>> records, Consumer<?, ?> consumer) {
		if (records.isEmpty()) {
			return;
		}
		// Until the batch commits, its records count as waiting (a batch
		// retried through a database outage shows lag growing).
		Map<TopicPartition, Long> inBatch = records.stream()
			.collect(Collectors.groupingBy(r -> new TopicPartition(r.topic(), r.partition()), Collectors.counting()));
		updateLag(consumer, inBatch, Map.of());
		String topic = records.get(0).topic();
		Instant polledAt = this.clock.instant();
		Set<Integer> drained = inBatch.keySet()
			.stream()
			.filter(partition -> isCaughtUp(consumer, partition))
			.map(TopicPartition::partition)
			.collect(Collectors.toSet());
		BatchProjection.Applied applied = this.projection.apply(topic, records, drained, polledAt);
		if (!applied.fenced().isEmpty()) {
			this.stranded.check(consumer, topic, applied.fenced());
		}
		updateLag(consumer, Map.of(), applied.newest());
	}

	private void updateLag(Consumer<?, ?> consumer, Map<TopicPartition, Long> pending, Map<Integer, Instant> newest) {
		for (TopicPartition partition : consumer.assignment()) {
			OptionalLong behind = consumer.currentLag(partition);
			if (behind.isPresent()) {
				this.lag.update(partition, newest.get(partition.partition()),
						behind.getAsLong() + pending.getOrDefault(partition, 0L));
			}
		}
	}

	/**
	 * A partition that has had nothing to poll for a while (the container's idle
	 * partition interval) and has nothing waiting is confirmed caught up, so the
	 * freshness the read API reports keeps up with the clock. Runs on the consumer's
	 * thread, like the batches. Public: Spring does not call a package-private listener
	 * method.
	 */
	@EventListener
	public void onIdlePartition(ListenerContainerPartitionIdleEvent idle) {
		TopicPartition partition = idle.getTopicPartition();
		if (isCaughtUp(idle.getConsumer(), partition)) {
			this.offsets.caughtUp(partition.topic(), partition.partition(), this.clock.instant());
		}
	}

	/** Nothing waits behind what the consumer has fetched, as far as it knows. */
	private static boolean isCaughtUp(Consumer<?, ?> consumer, TopicPartition partition) {
		OptionalLong behind = consumer.currentLag(partition);
		return behind.isPresent() && behind.getAsLong() == 0;
	}

	@Override
	public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
		this.lag.forget(partitions);
	}

	@Override
	public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
		Map<String, Set<Integer>> byTopic = assignments.keySet()
			.stream()
			.collect(Collectors.groupingBy(TopicPartition::topic,
					Collectors.mapping(TopicPartition::partition, Collectors.toSet())));
		byTopic.forEach((topic, partitions) -> {
			Map<Integer, Long> stored = this.offsets.stored(topic, partitions);
			for (int partition : partitions) {
				Long next = stored.get(partition);
				if (next != null) {
					callback.seek(topic, partition, next);
				}
				else {
					callback.seekToBeginning(Set.of(new TopicPartition(topic, partition)));
				}
			}
		});
	}

}
