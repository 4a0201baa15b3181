package run.trakr.readapi.rollup;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RollupCacheTest {

	private final RollupCache cache = new RollupCache(1_000);

	private final RollupCache.Key key = new RollupCache.Key(RollupCache.Kind.DERIVED, "test", UUID.randomUUID(), null,
			List.of());

	private final AtomicInteger computed = new AtomicInteger();

	@Test
	void aValueIsComputedOncePerRevision() {
		assertThat(get(7, "a")).isEqualTo("a@7");
		assertThat(get(7, "b")).as("same revision: the cached value").isEqualTo("a@7");
		assertThat(get(8, "b")).isEqualTo("b@8");
		assertThat(this.computed).hasValue(2);
	}

	@Test
	void aValueThatNoLongerHoldsIsReplacedNotKeptBeside() {
		assertThat(variant(7, "a")).isEqualTo("a@7");
		assertThat(variant(7, "a")).isEqualTo("a@7");
		assertThat(this.computed).hasValue(1);

		assertThat(variant(7, "b")).isEqualTo("b@7");
		assertThat(variant(7, "b")).isEqualTo("b@7");
		assertThat(this.computed).as("b replaced a, then was reused").hasValue(2);

		assertThat(variant(7, "a")).as("a was not kept beside b").isEqualTo("a@7");
		assertThat(this.computed).hasValue(3);
	}

	@Test
	void valuesComputedTogetherAreHeldAtTheirRevisionAndNeverReplaceALaterOne() {
		RollupCache.Key other = key("other");
		assertThat(getAll(Map.of(this.key, 7L, other, 7L), "a")).containsExactlyInAnyOrder("a@7", "absent");
		assertThat(get(7, "b")).as("get uses what getAll held").isEqualTo("a@7");
		assertThat(this.cache.get(other, 7, () -> "not held", String::length)).as("absent is held too")
			.isEqualTo("absent");

		assertThat(get(9, "c")).isEqualTo("c@9");
		assertThat(getAll(Map.of(this.key, 8L), "d")).as("an older revision, computed").containsExactly("d@8");
		assertThat(get(9, "e")).as("the later revision stays").isEqualTo("c@9");
		assertThat(this.computed).hasValue(3);
	}

	/**
	 * Two requests over overlapping buckets at once: the second waits for the bucket the
	 * first is computing and computes only its own.
	 */
	@Test
	void aKeyAnotherRequestIsComputingIsWaitedForNotComputedAgain() throws Exception {
		RollupCache.Key a = key("a");
		RollupCache.Key b = key("b");
		RollupCache.Key c = key("c");
		List<Set<RollupCache.Key>> computedSets = new CopyOnWriteArrayList<>();
		CountDownLatch firstComputing = new CountDownLatch(1);
		CountDownLatch secondComputed = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			Future<List<String>> first = threads.submit(() -> this.cache.getAll(ordered(a, b), (missing) -> {
				computedSets.add(Set.copyOf(missing));
				firstComputing.countDown();
				await(secondComputed);
				return Map.of(a, "a from first", b, "b from first");
			}, () -> "absent", String::length));
			firstComputing.await(5, TimeUnit.SECONDS);
			Future<List<String>> second = threads.submit(() -> this.cache.getAll(ordered(b, c), (missing) -> {
				computedSets.add(Set.copyOf(missing));
				secondComputed.countDown();
				return Map.of(c, "c from second");
			}, () -> "absent", String::length));

			assertThat(second.get(5, TimeUnit.SECONDS)).containsExactly("b from first", "c from second");
			assertThat(first.get(5, TimeUnit.SECONDS)).containsExactly("a from first", "b from first");
			assertThat(computedSets).containsExactly(Set.of(a, b), Set.of(c));
		}
		finally {
			threads.shutdownNow();
		}
	}

	/** The same for one key through {@code get}, which is {@code getAll} of one. */
	@Test
	void concurrentGetsOfOneKeyComputeItOnceAndShareAFailure() throws Exception {
		CountDownLatch computing = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			Future<String> first = threads.submit(() -> this.cache.get(this.key, 3, () -> {
				computing.countDown();
				await(release);
				return "first";
			}, String::length));
			computing.await(5, TimeUnit.SECONDS);
			Future<String> second = threads.submit(() -> this.cache.get(this.key, 3, () -> "second", String::length));
			Thread.sleep(100);
			assertThat(second).as("waits for the first").isNotDone();
			release.countDown();
			assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
			assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("first");

			CountDownLatch failing = new CountDownLatch(1);
			CountDownLatch fail = new CountDownLatch(1);
			Future<String> failed = threads.submit(() -> this.cache.get(this.key, 4, () -> {
				failing.countDown();
				await(fail);
				throw new IllegalStateException("database down");
			}, String::length));
			failing.await(5, TimeUnit.SECONDS);
			AtomicReference<Thread> waiting = new AtomicReference<>();
			Future<String> waiter = threads.submit(() -> {
				waiting.set(Thread.currentThread());
				return this.cache.get(this.key, 4, () -> "never", String::length);
			});
			// Parked on the first's computation, before that fails.
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			while (waiting.get() == null || waiting.get().getState() != Thread.State.WAITING) {
				assertThat(System.nanoTime()).as("the waiter parks").isLessThan(deadline);
				Thread.sleep(5);
			}
			fail.countDown();
			assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("database down");
			assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).hasRootCauseMessage("database down");
			assertThat(get(4, "after")).as("not held: computed again").isEqualTo("after@4");
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void aFailedComputationIsNotHeldAndIsComputedAgainNextTime() {
		assertThatThrownBy(() -> this.cache.getAll(ordered(this.key), (missing) -> {
			throw new IllegalStateException("database down");
		}, () -> "absent", String::length)).hasMessage("database down");

		assertThat(getAll(ordered(this.key), "after")).containsExactly("after@1");
		assertThat(get(1, "again")).as("then held").isEqualTo("after@1");
	}

	@Test
	void keysCountTowardTheBoundSoWeightlessValuesCannotGrowItWithoutLimit() {
		for (int i = 0; i < 10_000; i++) {
			RollupCache.Key distinct = new RollupCache.Key(RollupCache.Kind.DERIVED, "test", UUID.randomUUID(),
					"workflow " + i, List.of());
			this.cache.get(distinct, 1, () -> "", (value) -> 0);
		}

		assertThat(this.cache.size()).isPositive().isLessThanOrEqualTo(1_000 / 4);
	}

	private List<String> getAll(Map<RollupCache.Key, Long> revisions, String content) {
		return this.cache.getAll(revisions, (missing) -> {
			Map<RollupCache.Key, String> computed = new HashMap<>();
			missing.stream()
				.filter(this.key::equals)
				.forEach((k) -> computed.put(k, compute(revisions.get(k), content)));
			return computed;
		}, () -> "absent", String::length);
	}

	private static Map<RollupCache.Key, Long> ordered(RollupCache.Key... keys) {
		Map<RollupCache.Key, Long> revisions = new LinkedHashMap<>();
		for (RollupCache.Key key : keys) {
			revisions.put(key, 1L);
		}
		return revisions;
	}

	private static RollupCache.Key key(String workflow) {
		return new RollupCache.Key(RollupCache.Kind.WORKFLOWS, null, UUID.randomUUID(), workflow, List.of());
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private String get(long revision, String content) {
		return this.cache.get(this.key, revision, () -> compute(revision, content), String::length);
	}

	private String variant(long revision, String content) {
		return this.cache.get(this.key, revision, (cached) -> cached.startsWith(content + "@"),
				() -> compute(revision, content), String::length);
	}

	private String compute(long revision, String content) {
		this.computed.incrementAndGet();
		return content + "@" + revision;
	}

}
