package run.trakr.projector;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.stereotype.Component;

import run.trakr.projector.offset.PartitionOffsets;

/**
 * The Kafka entry: hands each polled batch to {@link BatchProjection}, and on assignment
 * seeks each partition to where PostgreSQL says projection stopped (Kafka's committed
 * offsets are only for lag monitoring).
 */
@Component
class IngestListener implements ConsumerSeekAware {

	private final BatchProjection projection;

	private final PartitionOffsets offsets;

	IngestListener(BatchProjection projection, PartitionOffsets offsets) {
		this.projection = projection;
		this.offsets = offsets;
	}

	// The consumer group is spring.kafka.consumer.group-id; the id only names the
	// container.
	@KafkaListener(id = "ingest-projector", idIsGroup = false, topics = "${trakr.projector.topic:trakr.ingest.v1}",
			batch = "true")
	void onBatch(List<ConsumerRecord<byte[], byte[]>> records) {
		if (!records.isEmpty()) {
			this.projection.apply(records.get(0).topic(), records);
		}
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
