package run.trakr.projector.offset;

import java.util.Collection;
import java.util.Map;

import org.jooq.DSLContext;

import org.springframework.stereotype.Component;

import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;

/**
 * The next offset to project of each partition, written in the transaction of the writes
 * it covers. Locking a partition's row for the batch fences an overlapping consumer
 * during a rebalance: whoever commits second finds the offset moved and drops what it
 * re-read.
 */
@Component
public class PartitionOffsets {

	private final DSLContext db;

	PartitionOffsets(DSLContext db) {
		this.db = db;
	}

	/** Locks the partitions' rows (creating them at 0) and returns their next offsets. */
	public Map<Integer, Long> lock(String topic, Collection<Integer> partitions) {
		var insert = this.db.insertInto(PROJECTOR_OFFSETS, PROJECTOR_OFFSETS.TOPIC, PROJECTOR_OFFSETS.PARTITION,
				PROJECTOR_OFFSETS.NEXT_OFFSET);
		for (int partition : partitions) {
			insert = insert.values(topic, partition, 0L);
		}
		insert.onConflictDoNothing().execute();
		return this.db.select(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET)
			.from(PROJECTOR_OFFSETS)
			.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
			.and(PROJECTOR_OFFSETS.PARTITION.in(partitions))
			.orderBy(PROJECTOR_OFFSETS.PARTITION)
			.forUpdate()
			.fetchMap(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET);
	}

	/** Where to resume each partition; partitions never projected are absent. */
	public Map<Integer, Long> stored(String topic, Collection<Integer> partitions) {
		return this.db.select(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET)
			.from(PROJECTOR_OFFSETS)
			.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
			.and(PROJECTOR_OFFSETS.PARTITION.in(partitions))
			.fetchMap(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET);
	}

	public void advance(String topic, Map<Integer, Long> nextOffsets) {
		this.db.batched(batched -> nextOffsets.forEach((partition, next) -> batched.dsl()
			.update(PROJECTOR_OFFSETS)
			.set(PROJECTOR_OFFSETS.NEXT_OFFSET, next)
			.set(PROJECTOR_OFFSETS.UPDATED_AT, org.jooq.impl.DSL.currentOffsetDateTime())
			.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
			.and(PROJECTOR_OFFSETS.PARTITION.eq(partition))
			.execute()));
	}

}
