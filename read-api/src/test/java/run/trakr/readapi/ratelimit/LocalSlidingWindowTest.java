package run.trakr.readapi.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalSlidingWindowTest {

	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	private final LocalSlidingWindow window = new LocalSlidingWindow(3, Duration.ofSeconds(60), this.nanos::get);

	@Test
	void acceptsUpToTheLimitInTheWindowAndDoesNotCountRefusals() {
		assertThat(this.window.tryAcquire("t").remaining()).isEqualTo(2);
		advance(Duration.ofSeconds(10));
		assertThat(this.window.tryAcquire("t").remaining()).isEqualTo(1);
		advance(Duration.ofSeconds(10));
		assertThat(this.window.tryAcquire("t").accepted()).isTrue();

		for (int i = 0; i < 5; i++) {
			RateLimitDecision refused = this.window.tryAcquire("t");
			assertThat(refused.accepted()).isFalse();
			assertThat(refused.untilSlotFrees()).isEqualTo(Duration.ofSeconds(40));
			assertThat(refused.secondsUntilSlotFrees()).isEqualTo(40);
		}
		advance(Duration.ofSeconds(40));
		assertThat(this.window.tryAcquire("t").accepted()).isTrue();
		assertThat(this.window.tryAcquire("t").accepted()).isFalse();
	}

	@Test
	void tokensHaveWindowsOfTheirOwn() {
		for (int i = 0; i < 3; i++) {
			this.window.tryAcquire("a");
		}
		assertThat(this.window.tryAcquire("a").accepted()).isFalse();
		assertThat(this.window.tryAcquire("b").accepted()).isTrue();
	}

	@Test
	void idleTokensAreForgotten() {
		this.window.tryAcquire("a");
		advance(Duration.ofSeconds(61));
		this.window.evictIdle();
		assertThat(this.window.tryAcquire("a").remaining()).isEqualTo(2);
	}

	@Test
	void secondsUntilASlotFreesRoundUp() {
		assertThat(new RateLimitDecision(RateLimitDecision.Outcome.REFUSED, false, 300, Duration.ofSeconds(60), 0,
				Duration.ofMillis(1001))
			.secondsUntilSlotFrees()).isEqualTo(2);
		assertThat(new RateLimitDecision(RateLimitDecision.Outcome.REFUSED, false, 300, Duration.ofSeconds(60), 0,
				Duration.ZERO)
			.secondsUntilSlotFrees()).isEqualTo(1);
	}

	private void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

}
