package run.trakr.projector;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import run.trakr.projector.alert.AlertProjection;
import run.trakr.projector.deadletter.DeadLetters;
import run.trakr.projector.offset.PartitionOffsets;
import run.trakr.projector.offset.PartitionOffsets.Freshness;
import run.trakr.projector.revision.OrgRevisions;
import run.trakr.projector.rollup.RollupRevisions;
import run.trakr.projector.rollup.ToolRollups;
import run.trakr.projector.rollup.WorkflowRollups;
import run.trakr.projector.run.RunHomes;
import run.trakr.projector.run.RunProjection;
import run.trakr.schema.event.DecodeResult;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEventDecoder;
import run.trakr.schema.event.Rejection;

/**
 * One polled batch, one PostgreSQL transaction: lock the partitions' offsets and drop
 * what they already cover (the fence), decode, apply, keep the bad records, advance the
 * offsets. A crash anywhere before the commit leaves nothing behind; the redelivered
 * batch is applied as if for the first time.
 */
@Component
class BatchProjection {

	private final TransactionTemplate transaction;

	private final PartitionOffsets offsets;

	private final IngestEventDecoder decoder;

	private final RunHomes homes;

	private final RunProjection runs;

	private final AlertProjection alerts;

	private final WorkflowRollups rollups;

	private final ToolRollups toolRollups;

	private final RollupRevisions revisions;

	private final OrgRevisions orgRevisions;

	private final DeadLetters deadLetters;

	private final Clock clock;

	private final Counter projected;

	private final Counter fenced;

	private final Timer batches;

	private final DistributionSummary batchSizes;

	BatchProjection(TransactionTemplate transaction, PartitionOffsets offsets, IngestEventDecoder decoder,
			RunHomes homes, RunProjection runs, AlertProjection alerts, WorkflowRollups rollups,
			ToolRollups toolRollups, RollupRevisions revisions, OrgRevisions orgRevisions, DeadLetters deadLetters,
			Clock clock, MeterRegistry meters) {
		this.transaction = transaction;
		this.offsets = offsets;
		this.decoder = decoder;
		this.homes = homes;
		this.runs = runs;
		this.alerts = alerts;
		this.rollups = rollups;
		this.toolRollups = toolRollups;
		this.revisions = revisions;
		this.orgRevisions = orgRevisions;
		this.deadLetters = deadLetters;
		this.clock = clock;
		this.projected = Counter.builder("trakr.projector.records").description("Records projected").register(meters);
		this.fenced = Counter.builder("trakr.projector.records.fenced")
			.description("Redelivered records dropped because their offset was already projected")
			.register(meters);
		this.batchSizes = DistributionSummary.builder("trakr.projector.batch.size")
			.description("Records per polled batch")
			.baseUnit("records")
			.publishPercentiles(0.5, 0.99)
			.register(meters);
		this.batches = Timer.builder("trakr.projector.batch")
			.description("Time to project one polled batch")
			.publishPercentiles(0.5, 0.99)
			.register(meters);
	}

	/**
	 * What a batch did.
	 *
	 * @param newest per partition, the latest event time applied
	 * @param fenced per partition that had records below its stored offset (dropped as
	 * already projected), that stored offset
	 */
	record Applied(Map<Integer, Instant> newest, Map<Integer, Long> fenced) {

		static final Applied NOTHING = new Applied(Map.of(), Map.of());

	}

	/**
	 * Projects the batch in one transaction. {@code drained}: the partitions with nothing
	 * waiting behind this batch when it was polled at {@code polledAt}.
	 */
	Applied apply(String topic, List<ConsumerRecord<byte[], byte[]>> records, Set<Integer> drained, Instant polledAt) {
		if (records.isEmpty()) {
			return Applied.NOTHING;
		}
		this.batchSizes.record(records.size());
		Applied applied = this.batches
			.record(() -> this.transaction.execute(status -> project(topic, records, drained, polledAt)));
		this.deadLetters.relayIfAny();
		return applied;
	}

	private Applied project(String topic, List<ConsumerRecord<byte[], byte[]>> records, Set<Integer> drained,
			Instant polledAt) {
		Map<Integer, Long> next = new HashMap<>();
		records.forEach(record -> next.merge(record.partition(), record.offset() + 1, Math::max));
		Map<Integer, Long> stored = this.offsets.lock(topic, next.keySet());
		List<IngestEvent> events = new ArrayList<>();
		Map<IngestEvent, Integer> partitionOf = new IdentityHashMap<>();
		Map<IngestEvent, ConsumerRecord<byte[], byte[]>> recordOf = new IdentityHashMap<>();
		Map<Integer, Long> fencedBelow = new HashMap<>();
		for (ConsumerRecord<byte[], byte[]> record : records) {
			if (record.offset() < stored.get(record.partition())) {
				this.fenced.increment();
				fencedBelow.put(record.partition(), stored.get(record.partition()));
				continue;
			}
			DecodeResult result = this.decoder.decode(record.value());
			if (result instanceof DecodeResult.Accepted accepted) {
				events.add(accepted.event());
				partitionOf.put(accepted.event(), record.partition());
				recordOf.put(accepted.event(), record);
			}
			else if (result instanceof DecodeResult.Rejected rejected) {
				this.deadLetters.keep(record, rejected.rejection());
			}
		}
		RunHomes.Resolved homes = this.homes.resolve(events, LocalDate.now(this.clock));
		if (!homes.expired().isEmpty()) {
			Set<IngestEvent> expired = Collections.newSetFromMap(new IdentityHashMap<>());
			for (IngestEvent event : homes.expired()) {
				expired.add(event);
				this.deadLetters.keep(recordOf.get(event), new Rejection(Rejection.Reason.BEYOND_RETENTION,
						"its run is past the retention horizon of org " + event.envelope().orgId()));
			}
			events.removeIf(expired::contains);
		}
		RunProjection.Outcome outcome = this.runs.apply(events, partitionOf, homes);
		this.rollups.apply(outcome.changes());
		this.toolRollups.apply(outcome.changes(), outcome.newToolUses(), homes);
		this.revisions.bump(outcome.changes());
		this.alerts.apply(events);
		this.orgRevisions.bump(outcome.changes(), events, partitionOf);
		next.replaceAll((partition, offset) -> Math.max(offset, stored.get(partition)));
		Map<Integer, Instant> newest = new HashMap<>();
		partitionOf.forEach((event, partition) -> newest.merge(partition, event.envelope().occurredAt(),
				(a, b) -> a.isAfter(b) ? a : b));
		this.offsets.advance(topic, next, freshness(next.keySet(), drained, polledAt, newest));
		this.projected.increment(records.size());
		return new Applied(newest, fencedBelow);
	}

	/**
	 * Per partition of the batch: caught up at the poll when nothing waited behind it,
	 * else as of the newest event it applied (unchanged when it applied none).
	 */
	private static Map<Integer, Freshness> freshness(Set<Integer> partitions, Set<Integer> drained, Instant polledAt,
			Map<Integer, Instant> newest) {
		Map<Integer, Freshness> freshness = new HashMap<>();
		for (int partition : partitions) {
			if (drained.contains(partition)) {
				freshness.put(partition, new Freshness(polledAt, true));
			}
			else if (newest.containsKey(partition)) {
				freshness.put(partition, new Freshness(newest.get(partition), false));
			}
		}
		return freshness;
	}

}
