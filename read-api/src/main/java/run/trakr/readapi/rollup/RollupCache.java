package run.trakr.readapi.rollup;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import run.trakr.schema.rollup.WindowCover.BucketSpan;

/**
 * What this replica computed from a set of whole rollup buckets, kept while the sum of
 * those buckets' revisions is unchanged (see {@code rollup_revisions}): the projector
 * gives a bucket a new, larger revision in the transaction that changes it, so the sum
 * grows with any change and a cached value is reused only when no bucket it was computed
 * from has changed since. A Caffeine cache bounded by total weight (the memory held, in
 * 8-byte words, keys included), its W-TinyLFU policy choosing what goes.
 */
final class RollupCache {

	/** What a cached value is. */
	enum Kind {

		/** Per-workflow aggregates of one bucket level. */
		WORKFLOWS,

		/** Per-workflow aggregates, every level merged. */
		WORKFLOWS_MERGED,

		/** Per-bucket aggregates of a series (variant: the width), of one level. */
		SERIES,

		/** Per-tool aggregates of one bucket level. */
		TOOLS,

		/** The started runs of one 5-minute edge bucket. */
		EDGE_RUNS,

		/**
		 * A value a route derived from the per-workflow aggregates (variant: its name).
		 */
		DERIVED

	}

	/**
	 * What was computed, for whom, over which buckets.
	 *
	 * @param variant what tells values of one kind apart (a series' width, a derived
	 * value's name), or null
	 */
	record Key(Kind kind, String variant, UUID orgId, String workflow, List<BucketSpan> buckets) {

		/**
		 * What the key itself holds, in the units of a value's weight: a key is never
		 * free, so many small values cannot grow the cache past its bound.
		 */
		int weight() {
			return 8 + 4 * this.buckets.size() + ((this.workflow != null) ? this.workflow.length() / 8 : 0)
					+ ((this.variant != null) ? this.variant.length() / 8 : 0);
		}

	}

	/** A value for one revision; its weight is the key's alone while it is computed. */
	private record Entry(long revision, CompletableFuture<Object> value, int weight) {
	}

	private final Cache<Key, Entry> entries;

	RollupCache(long maxWeight) {
		// Evictions run on the calling thread: no background work to reason about.
		this.entries = Caffeine.newBuilder()
			.maximumWeight(maxWeight)
			.weigher((Key key, Entry entry) -> entry.weight())
			.executor(Runnable::run)
			.build();
	}

	/**
	 * The value computed for {@code key} at {@code revision}, computing it when absent or
	 * older. Concurrent requests for the same key and revision wait for one computation
	 * rather than each running it (a cold dashboard refresh would otherwise take every
	 * database connection at once). The caller must not change the value it gets.
	 */
	@SuppressWarnings("unchecked")
	<V> V get(Key key, long revision, Supplier<V> compute, ToIntFunction<V> weigher) {
		// The common case, a hit, is a read; only a miss or an older revision writes.
		Entry entry = this.entries.getIfPresent(key);
		Entry mine = null;
		if (entry == null || entry.revision() < revision) {
			Entry computing = new Entry(revision, new CompletableFuture<>(), key.weight());
			entry = this.entries.asMap()
				.compute(key,
						(k, existing) -> (existing == null || existing.revision() < revision) ? computing : existing);
			mine = computing;
		}
		if (entry != mine) {
			if (entry.revision() == revision) {
				try {
					return (V) entry.value().join();
				}
				catch (CompletionException ex) {
					// The computing request's failure (database down: a 503) is ours too.
					throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
				}
			}
			// Another request already read a later revision: compute this one uncached.
			return compute.get();
		}
		V value;
		try {
			value = compute.get();
		}
		catch (RuntimeException ex) {
			this.entries.asMap().remove(key, mine);
			mine.value().completeExceptionally(ex);
			throw ex;
		}
		mine.value().complete(value);
		// The same entry at its real weight (Caffeine weighs on write); unless it was
		// evicted or replaced meanwhile.
		this.entries.asMap()
			.replace(key, mine, new Entry(revision, mine.value(), key.weight() + weigher.applyAsInt(value)));
		return value;
	}

	/**
	 * As {@link #get(Key, long, Supplier, ToIntFunction)} for a value that also depends
	 * on something besides the revision: a cached value that does not {@code hold} any
	 * more is replaced, so a key keeps one value rather than one per variant.
	 */
	<V> V get(Key key, long revision, Predicate<V> holds, Supplier<V> compute, ToIntFunction<V> weigher) {
		V value = get(key, revision, compute, weigher);
		if (holds.test(value)) {
			return value;
		}
		V stale = value;
		this.entries.asMap()
			.computeIfPresent(key,
					(k, entry) -> (entry.revision() == revision && entry.value().isDone()
							&& !entry.value().isCompletedExceptionally() && entry.value().join() == stale) ? null
									: entry);
		value = get(key, revision, compute, weigher);
		// Another request stored its own variant meanwhile: compute ours uncached.
		return holds.test(value) ? value : compute.get();
	}

	/**
	 * The value held for {@code key} at exactly {@code revision}, or null: none, another
	 * revision, or still being computed (the caller reads it with others rather than
	 * wait).
	 */
	@SuppressWarnings("unchecked")
	<V> V getIfCurrent(Key key, long revision) {
		Entry entry = this.entries.getIfPresent(key);
		if (entry == null || entry.revision() != revision || !entry.value().isDone()
				|| entry.value().isCompletedExceptionally()) {
			return null;
		}
		return (V) entry.value().join();
	}

	/**
	 * Holds a value read together with others, unless the key already holds one at this
	 * or a later revision.
	 */
	<V> void put(Key key, long revision, V value, ToIntFunction<V> weigher) {
		Entry mine = new Entry(revision, CompletableFuture.completedFuture(value),
				key.weight() + weigher.applyAsInt(value));
		this.entries.asMap()
			.compute(key, (k, existing) -> (existing == null || existing.revision() < revision
					|| existing.value().isCompletedExceptionally()) ? mine : existing);
	}

	/** How many values are held. */
	int size() {
		this.entries.cleanUp();
		return (int) this.entries.estimatedSize();
	}

}
