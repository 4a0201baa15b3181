package run.trakr.readapitest.support;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Makes the run detail route fail the ways a handler can, when a test adds
 * {@code ?simulate=...}; without that parameter the real handler answers.
 */
@RestController
public class SimulatedFailures {

	@GetMapping(path = "/api/runs/{runId}", params = "simulate=boom")
	Object unexpected() {
		throw new IllegalStateException("SELECT secret FROM somewhere failed at line 42");
	}

	@GetMapping(path = "/api/runs/{runId}", params = "simulate=database-down")
	Object databaseDown() {
		throw new DataAccessResourceFailureException("connection refused to 10.0.0.1");
	}

}
