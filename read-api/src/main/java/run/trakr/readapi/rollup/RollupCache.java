package run.trakr.readapi.rollup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
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
	<V> V get(Key key, long revision, Supplier<V> compute, ToIntFunction<V> weigher) {
		// The common case, a hit, only reads.
		Entry entry = this.entries.getIfPresent(key);
		if (entry != null && entry.revision() == revision && !entry.value().isCompletedExceptionally()) {
			return join(entry);
		}
		return getAll(Map.of(key, revision), (keys) -> Collections.singletonMap(key, compute.get()), compute, weigher)
			.get(0);
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
	 * The values of several keys, each at its own revision, in the keys' order: as
	 * {@link #get(Key, long, Supplier, ToIntFunction)} for each, except that the keys to
	 * compute are computed together ({@code computeMissing} is given them and returns
	 * what it found; a key it leaves out gets {@code absent}). A key another request is
	 * computing is waited for, not computed again: the panels of a dashboard refreshed at
	 * a cold start ask for overlapping windows at once, and each read every bucket.
	 */
	<V> List<V> getAll(Map<Key, Long> revisions, Function<Set<Key>, Map<Key, V>> computeMissing, Supplier<V> absent,
			ToIntFunction<V> weigher) {
		Map<Key, Entry> mine = new LinkedHashMap<>();
		Map<Key, Entry> theirs = new HashMap<>();
		Set<Key> toCompute = new LinkedHashSet<>();
		revisions.forEach((key, revision) -> {
			Entry entry = this.entries.getIfPresent(key);
			if (entry == null || entry.revision() < revision || entry.value().isCompletedExceptionally()) {
				Entry computing = new Entry(revision, new CompletableFuture<>(), key.weight());
				entry = this.entries.asMap()
					.compute(key, (k, existing) -> (existing == null || existing.revision() < revision
							|| existing.value().isCompletedExceptionally()) ? computing : existing);
				if (entry == computing) {
					mine.put(key, computing);
				}
			}
			if (entry.revision() == revision && !mine.containsKey(key)) {
				theirs.put(key, entry);
			}
			else {
				// Ours to compute; uncached when a later revision is held already.
				toCompute.add(key);
			}
		});
		Map<Key, V> computed = new HashMap<>();
		if (!toCompute.isEmpty()) {
			try {
				computed.putAll(computeMissing.apply(toCompute));
			}
			catch (RuntimeException ex) {
				mine.forEach((key, entry) -> {
					this.entries.asMap().remove(key, entry);
					entry.value().completeExceptionally(ex);
				});
				throw ex;
			}
			toCompute.forEach((key) -> computed.computeIfAbsent(key, (k) -> absent.get()));
			// Completed before waiting for anyone: two requests never wait on each other.
			mine.forEach((key, entry) -> {
				V value = computed.get(key);
				entry.value().complete(value);
				this.entries.asMap()
					.replace(key, entry,
							new Entry(entry.revision(), entry.value(), key.weight() + weigher.applyAsInt(value)));
			});
		}
		List<V> values = new ArrayList<>(revisions.size());
		for (Key key : revisions.keySet()) {
			values.add(computed.containsKey(key) ? computed.get(key) : join(theirs.get(key)));
		}
		return values;
	}

	@SuppressWarnings("unchecked")
	private static <V> V join(Entry entry) {
		try {
			return (V) entry.value().join();
		}
		catch (CompletionException ex) {
			// The computing request's failure (database down: a 503) is ours too.
			throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
		}
	}

	/** How many values are held. */
	int size() {
		this.entries.cleanUp();
		return (int) this.entries.estimatedSize();
	}

}
