package run.trakr.readapi.rollup;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import run.trakr.schema.rollup.WindowCover.BucketSpan;

/**
 * What this replica computed from a set of whole rollup buckets, kept while the largest
 * revision among those buckets is unchanged (see {@code rollup_revisions}): the projector
 * gives a bucket a new, larger revision in the transaction that changes it, so a cached
 * value is reused only when no bucket it was computed from has changed since. Bounded by
 * total weight (about one unit per histogram bin held, keys included), least recently
 * used first out.
 */
final class RollupCache {

	/** What was computed (a route's kind of aggregate), for whom, over which buckets. */
	record Key(String kind, UUID orgId, String workflow, List<BucketSpan> buckets) {

		/**
		 * What the key itself holds, in the units of a value's weight: a key is never
		 * free, so many small values cannot grow the cache past its bound.
		 */
		int weight() {
			return 4 + this.buckets.size() + ((this.workflow != null) ? this.workflow.length() / 8 : 0);
		}

	}

	private record Entry(long revision, CompletableFuture<Object> value, int[] weight) {
	}

	private final Map<Key, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);

	private final long maxWeight;

	private long weight;

	RollupCache(long maxWeight) {
		this.maxWeight = maxWeight;
	}

	/**
	 * The value computed for {@code key} at {@code revision}, computing it when absent or
	 * older. Concurrent requests for the same key and revision wait for one computation
	 * rather than each running it (a cold dashboard refresh would otherwise take every
	 * database connection at once). The caller must not change the value it gets.
	 */
	@SuppressWarnings("unchecked")
	<V> V get(Key key, long revision, Supplier<V> compute, ToIntFunction<V> weigher) {
		CompletableFuture<Object> mine = new CompletableFuture<>();
		Entry entry;
		synchronized (this) {
			entry = this.entries.get(key);
			if (entry == null || entry.revision() < revision) {
				if (entry != null) {
					this.weight -= entry.weight()[0];
				}
				entry = new Entry(revision, mine, new int[1]);
				this.entries.put(key, entry);
			}
		}
		if (entry.value() != mine) {
			if (entry.revision() == revision) {
				try {
					return (V) entry.value().join();
				}
				catch (java.util.concurrent.CompletionException ex) {
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
			synchronized (this) {
				this.entries.remove(key, entry);
			}
			mine.completeExceptionally(ex);
			throw ex;
		}
		mine.complete(value);
		synchronized (this) {
			if (this.entries.get(key) == entry) {
				entry.weight()[0] = key.weight() + weigher.applyAsInt(value);
				this.weight += entry.weight()[0];
				Iterator<Entry> eldest = this.entries.values().iterator();
				while (this.weight > this.maxWeight && eldest.hasNext()) {
					Entry evicted = eldest.next();
					if (evicted.value().isDone()) {
						this.weight -= evicted.weight()[0];
						eldest.remove();
					}
				}
			}
		}
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
		synchronized (this) {
			Entry entry = this.entries.get(key);
			if (entry != null && entry.revision() == revision && entry.value().isDone()
					&& !entry.value().isCompletedExceptionally() && entry.value().join() == value) {
				this.weight -= entry.weight()[0];
				this.entries.remove(key);
			}
		}
		value = get(key, revision, compute, weigher);
		// Another request stored its own variant meanwhile: compute ours uncached.
		return holds.test(value) ? value : compute.get();
	}

	/** How many values are held. */
	synchronized int size() {
		return this.entries.size();
	}

}
