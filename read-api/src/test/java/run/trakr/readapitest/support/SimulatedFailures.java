package run.trakr.readapitest.support;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Makes the run detail route fail the ways a handler can, when a test adds
 * {@code ?simulate=...}; without that parameter the real handler answers.
 */
@RestController
public class SimulatedFailures {

	/** The most requests that were in {@link #slow()} at once. */
	public static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();

	private static final AtomicInteger atOnce = new AtomicInteger();

	/** A request as long as a heavy one, counting how many run at the same time. */
	@GetMapping(path = "/api/runs/{runId}", params = "simulate=slow")
	Object slow() throws InterruptedException {
		MOST_AT_ONCE.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
		try {
			Thread.sleep(700);
			return java.util.Map.of("slow", true);
		}
		finally {
			atOnce.decrementAndGet();
		}
	}

	@GetMapping(path = "/api/runs/{runId}", params = "simulate=boom")
	Object unexpected() {
		throw new IllegalStateException("SELECT secret FROM somewhere failed at line 42");
	}

	@GetMapping(path = "/api/runs/{runId}", params = "simulate=database-down")
	Object databaseDown() {
		throw new DataAccessResourceFailureException("connection refused to 10.0.0.1");
	}

}
