package run.trakr.projector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import run.trakr.projector.alert.AlertProjection;
import run.trakr.projector.deadletter.DeadLetters;
import run.trakr.projector.offset.PartitionOffsets;
import run.trakr.projector.rollup.RollupRevisions;
import run.trakr.projector.rollup.ToolRollups;
import run.trakr.projector.rollup.WorkflowRollups;
import run.trakr.projector.run.RunProjection;
import run.trakr.schema.event.DecodeResult;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEventDecoder;

/**
 * One polled batch, one PostgreSQL transaction: lock the partitions' offsets and drop
 * what they already cover (the fence), decode, apply, keep the bad records, advance the
 * offsets. A crash anywhere before the commit leaves nothing behind; the redelivered
 * batch is applied as if for the first time.
 */
@Component
class BatchProjection {

	static final java.util.concurrent.atomic.AtomicLongArray PROF = new java.util.concurrent.atomic.AtomicLongArray(9);

	static final java.util.concurrent.atomic.AtomicLong LAST = new java.util.concurrent.atomic.AtomicLong();

	private final TransactionTemplate transaction;

	private final PartitionOffsets offsets;

	private final IngestEventDecoder decoder;

	private final RunProjection runs;

	private final AlertProjection alerts;

	private final WorkflowRollups rollups;

	private final ToolRollups toolRollups;

	private final RollupRevisions revisions;

	private final DeadLetters deadLetters;

	private final Counter projected;

	private final Counter fenced;

	private final Timer batches;

	BatchProjection(TransactionTemplate transaction, PartitionOffsets offsets, IngestEventDecoder decoder,
			RunProjection runs, AlertProjection alerts, WorkflowRollups rollups, ToolRollups toolRollups,
			RollupRevisions revisions, DeadLetters deadLetters, MeterRegistry meters) {
		this.transaction = transaction;
		this.offsets = offsets;
		this.decoder = decoder;
		this.runs = runs;
		this.alerts = alerts;
		this.rollups = rollups;
		this.toolRollups = toolRollups;
		this.revisions = revisions;
		this.deadLetters = deadLetters;
		this.projected = Counter.builder("trakr.projector.records").description("Records projected").register(meters);
		this.fenced = Counter.builder("trakr.projector.records.fenced")
			.description("Redelivered records dropped because their offset was already projected")
			.register(meters);
		this.batches = Timer.builder("trakr.projector.batch")
			.description("Time to project one polled batch")
			.publishPercentiles(0.5, 0.99)
			.register(meters);
	}

	void apply(String topic, List<ConsumerRecord<byte[], byte[]>> records) {
		if (records.isEmpty()) {
			return;
		}
		long a = System.nanoTime();
		this.batches.record(() -> this.transaction.executeWithoutResult(status -> project(topic, records)));
		PROF.addAndGet(8, System.nanoTime() - a);
		this.deadLetters.relayIfAny();
	}

	private void project(String topic, List<ConsumerRecord<byte[], byte[]>> records) {
		long tStart = System.nanoTime();
		Map<Integer, Long> next = new HashMap<>();
		records.forEach(record -> next.merge(record.partition(), record.offset() + 1, Math::max));
		Map<Integer, Long> stored = this.offsets.lock(topic, next.keySet());
		List<IngestEvent> events = new ArrayList<>();
		Map<IngestEvent, Integer> partitionOf = new java.util.IdentityHashMap<>();
		for (ConsumerRecord<byte[], byte[]> record : records) {
			if (record.offset() < stored.get(record.partition())) {
				this.fenced.increment();
				continue;
			}
			DecodeResult result = this.decoder.decode(record.value());
			if (result instanceof DecodeResult.Accepted accepted) {
				events.add(accepted.event());
				partitionOf.put(accepted.event(), record.partition());
			}
			else if (result instanceof DecodeResult.Rejected rejected) {
				this.deadLetters.keep(record, rejected.rejection());
			}
		}
		long t0 = System.nanoTime();
		RunProjection.Outcome outcome = this.runs.apply(events, partitionOf);
		long t1 = System.nanoTime();
		this.rollups.apply(outcome.changes());
		long t2 = System.nanoTime();
		this.toolRollups.apply(outcome.changes(), outcome.newToolUses());
		long t3 = System.nanoTime();
		this.revisions.bump(outcome.changes());
		long t4 = System.nanoTime();
		this.alerts.apply(events);
		long t5 = System.nanoTime();
		next.replaceAll((partition, offset) -> Math.max(offset, stored.get(partition)));
		this.offsets.advance(topic, next);
		long t6 = System.nanoTime();
		PROF.addAndGet(0, t0 - tStart);
		PROF.addAndGet(1, t1 - t0);
		PROF.addAndGet(2, t2 - t1);
		PROF.addAndGet(3, t3 - t2);
		PROF.addAndGet(4, t4 - t3);
		PROF.addAndGet(5, t5 - t4);
		PROF.addAndGet(6, t6 - t5);
		PROF.addAndGet(7, 1);
		if (System.currentTimeMillis() - LAST.get() > 20000) {
			LAST.set(System.currentTimeMillis());
			System.err.println("PROF decode/lock=" + PROF.get(0) / 1000000 + " runs=" + PROF.get(1) / 1000000 + " wf="
					+ PROF.get(2) / 1000000 + " tools=" + PROF.get(3) / 1000000 + " rev=" + PROF.get(4) / 1000000
					+ " alerts=" + PROF.get(5) / 1000000 + " offsets=" + PROF.get(6) / 1000000 + " batches="
					+ PROF.get(7) + " total=" + PROF.get(8) / 1000000);
		}
		this.projected.increment(records.size());
	}

}
