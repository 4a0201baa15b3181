package run.trakr.projector.offset;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProjectionLagTest {

	private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

	private static final TopicPartition PARTITION = new TopicPartition("trakr.ingest.v1", 3);

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ProjectionLag lag = new ProjectionLag(this.meters, Clock.fixed(NOW, ZoneOffset.UTC));

	@Test
	void aPartitionWithRecordsWaitingIsAsFarBehindAsItsNewestProjectedEvent() {
		this.lag.update(PARTITION, NOW.minusSeconds(90), 500);

		assertThat(gauge("trakr.projector.lag.records")).isEqualTo(500);
		assertThat(gauge("trakr.projector.lag.seconds")).isEqualTo(90);
	}

	@Test
	void aCaughtUpPartitionIsNotBehindHoweverOldItsLastEvent() {
		this.lag.update(PARTITION, NOW.minusSeconds(3600), 0);

		assertThat(gauge("trakr.projector.lag.records")).isZero();
		assertThat(gauge("trakr.projector.lag.seconds")).isZero();
	}

	@Test
	void olderEventsProjectedLaterDoNotMoveTheNewestBack() {
		this.lag.update(PARTITION, NOW.minusSeconds(10), 5);
		this.lag.update(PARTITION, NOW.minusSeconds(600), 7);
		this.lag.update(PARTITION, null, 9);

		assertThat(gauge("trakr.projector.lag.records")).isEqualTo(9);
		assertThat(gauge("trakr.projector.lag.seconds")).isEqualTo(10);
	}

	@Test
	void revokedPartitionsLoseTheirGauges() {
		TopicPartition other = new TopicPartition("trakr.ingest.v1", 4);
		this.lag.update(PARTITION, NOW, 1);
		this.lag.update(other, NOW, 1);

		this.lag.forget(List.of(PARTITION));

		assertThat(this.meters.find("trakr.projector.lag.seconds").gauges()).singleElement()
			.satisfies(gauge -> assertThat(gauge.getId().getTag("partition")).isEqualTo("4"));
		assertThat(this.meters.find("trakr.projector.lag.records").gauges()).hasSize(1);
	}

	@Test
	void aPartitionAssignedAgainRemembersItsNewestEventWhileNothingCanBeApplied() {
		this.lag.update(PARTITION, NOW.minusSeconds(120), 0);
		this.lag.forget(List.of(PARTITION));

		// Reassigned during a database outage: records wait, the batch cannot apply.
		this.lag.update(PARTITION, null, 40);

		assertThat(gauge("trakr.projector.lag.records")).isEqualTo(40);
		assertThat(gauge("trakr.projector.lag.seconds")).isEqualTo(120);
	}

	private double gauge(String name) {
		return this.meters.get(name).tag("topic", "trakr.ingest.v1").tag("partition", "3").gauge().value();
	}

}
