package run.trakr.projector.offset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;

import org.springframework.stereotype.Component;

/**
 * How far the projection of each assigned partition trails the topic, as gauges tagged
 * with topic and partition: {@code trakr.projector.lag.records}, records not yet applied
 * (as of the consumer's last fetch), and {@code trakr.projector.lag.seconds}, while any
 * are, how old in event time the newest applied event is. A caught-up partition reports
 * zero seconds however long ago its last event happened, so an idle org never alerts.
 * <p>
 * A revoked partition's gauges go, but its newest event time is remembered: rebalances
 * often give a partition straight back, and during a database outage no batch could teach
 * it again (the gauge would read 0 s while records wait). If another instance applied
 * newer events meanwhile, the remembered time overstates the lag until this instance
 * applies a batch, which errs on the side of an alert.
 */
@Component
public class ProjectionLag {

	private static final class Partition {

		volatile long recordsBehind;

		volatile Instant newestApplied;

		final List<Meter> meters = new ArrayList<>();

	}

	private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

	private final Map<TopicPartition, Instant> newestOfRevoked = new ConcurrentHashMap<>();

	private final MeterRegistry meters;

	private final Clock clock;

	ProjectionLag(MeterRegistry meters, Clock clock) {
		this.meters = meters;
		this.clock = clock;
	}

	/**
	 * After a batch: {@code newestApplied} is the latest event time the batch applied on
	 * the partition (null if it applied none), {@code recordsBehind} what is left.
	 */
	public void update(TopicPartition topicPartition, Instant newestApplied, long recordsBehind) {
		Partition partition = this.partitions.computeIfAbsent(topicPartition, this::register);
		if (newestApplied != null
				&& (partition.newestApplied == null || newestApplied.isAfter(partition.newestApplied))) {
			partition.newestApplied = newestApplied;
		}
		partition.recordsBehind = recordsBehind;
	}

	/** The partitions went to another consumer: their gauges go with them. */
	public void forget(Collection<TopicPartition> revoked) {
		for (TopicPartition topicPartition : revoked) {
			Partition partition = this.partitions.remove(topicPartition);
			if (partition != null) {
				partition.meters.forEach(this.meters::remove);
				if (partition.newestApplied != null) {
					this.newestOfRevoked.put(topicPartition, partition.newestApplied);
				}
			}
		}
	}

	private Partition register(TopicPartition topicPartition) {
		Partition partition = new Partition();
		partition.newestApplied = this.newestOfRevoked.remove(topicPartition);
		String number = String.valueOf(topicPartition.partition());
		partition.meters.add(Gauge.builder("trakr.projector.lag.records", partition, p -> p.recordsBehind)
			.description("Records of the partition not yet projected, as of the last fetch")
			.tag("topic", topicPartition.topic())
			.tag("partition", number)
			.register(this.meters));
		partition.meters.add(Gauge.builder("trakr.projector.lag.seconds", partition, this::seconds)
			.description("While records wait, the age in event time of the newest projected event")
			.baseUnit("seconds")
			.tag("topic", topicPartition.topic())
			.tag("partition", number)
			.register(this.meters));
		return partition;
	}

	private double seconds(Partition partition) {
		Instant newest = partition.newestApplied;
		if (partition.recordsBehind <= 0 || newest == null) {
			return 0;
		}
		return Math.max(0, Duration.between(newest, this.clock.instant()).toMillis() / 1000.0);
	}

}
