package run.trakr.readapi.rollup;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
	void aValuePutIsHeldAtItsRevisionAndNeverReplacesALaterOne() {
		this.cache.put(this.key, 7, "a@7", String::length);
		assertThat(this.cache.<String>getIfCurrent(this.key, 7)).isEqualTo("a@7");
		assertThat(this.cache.<String>getIfCurrent(this.key, 8)).as("another revision").isNull();
		assertThat(get(7, "b")).as("get uses what put held").isEqualTo("a@7");

		this.cache.put(this.key, 9, "c@9", String::length);
		this.cache.put(this.key, 8, "d@8", String::length);
		assertThat(this.cache.<String>getIfCurrent(this.key, 9)).as("a later revision stays").isEqualTo("c@9");
		assertThat(this.cache.<String>getIfCurrent(this.key, 8)).isNull();
		assertThat(this.computed).hasValue(0);
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
