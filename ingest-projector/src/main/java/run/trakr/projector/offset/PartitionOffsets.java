package run.trakr.projector.offset;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

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

	/**
	 * How current a partition's projection is: {@code asOf} with {@code caughtUp} when
	 * nothing waited behind what was projected, else the newest event time projected.
	 */
	public record Freshness(Instant asOf, boolean caughtUp) {
	}

	/**
	 * Moves the partitions' next offsets and, where given, their freshness, in the
	 * batch's transaction.
	 */
	public void advance(String topic, Map<Integer, Long> nextOffsets, Map<Integer, Freshness> freshness) {
		this.db.batched(batched -> nextOffsets.forEach((partition, next) -> {
			Freshness fresh = freshness.get(partition);
			var update = batched.dsl()
				.update(PROJECTOR_OFFSETS)
				.set(PROJECTOR_OFFSETS.NEXT_OFFSET, next)
				.set(PROJECTOR_OFFSETS.UPDATED_AT, DSL.currentOffsetDateTime());
			if (fresh != null) {
				update = update.set(PROJECTOR_OFFSETS.DATA_AS_OF, fresh.asOf().atOffset(ZoneOffset.UTC))
					.set(PROJECTOR_OFFSETS.CAUGHT_UP, fresh.caughtUp());
			}
			update.where(PROJECTOR_OFFSETS.TOPIC.eq(topic)).and(PROJECTOR_OFFSETS.PARTITION.eq(partition)).execute();
		}));
	}

	/**
	 * Confirms an idle partition caught up at {@code at}; a partition never projected has
	 * no row and stays out of the freshness headers.
	 */
	public void caughtUp(String topic, int partition, Instant at) {
		this.db.update(PROJECTOR_OFFSETS)
			.set(PROJECTOR_OFFSETS.DATA_AS_OF, at.atOffset(ZoneOffset.UTC))
			.set(PROJECTOR_OFFSETS.CAUGHT_UP, true)
			.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
			.and(PROJECTOR_OFFSETS.PARTITION.eq(partition))
			.execute();
	}

}
