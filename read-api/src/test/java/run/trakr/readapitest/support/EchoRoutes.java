package run.trakr.readapitest.support;

import java.util.Map;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import run.trakr.readapi.auth.Caller;
import run.trakr.readapi.system.ApiException;
import run.trakr.readapi.system.ErrorCode;

/**
 * Stand-in handlers on the eight allowlisted routes for access-control tests: each
 * answers with the caller the gate resolved, so tests see which org a token acts for. A
 * few run ids make the handler fail in the ways real handlers can.
 */
@RestController
public class EchoRoutes {

	@GetMapping({ "/api/runs", "/api/workflows", "/api/alert-events", "/api/metrics/overview", "/api/runs/compare" })
	Map<String, Object> collection(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
			@RequestParam(name = "limit", required = false) Integer limit) {
		return echo(caller, "collection");
	}

	@GetMapping("/api/runs/{runId}")
	Map<String, Object> run(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String runId) {
		return switch (runId) {
			case "missing" -> throw new ApiException(ErrorCode.NOT_FOUND);
			case "boom" -> throw new IllegalStateException("SELECT secret FROM somewhere failed at line 42");
			case "database-down" -> throw new DataAccessResourceFailureException("connection refused to 10.0.0.1");
			default -> echo(caller, runId);
		};
	}

	@GetMapping({ "/api/workflows/{name}/stats", "/api/workflows/{name}/tools" })
	Map<String, Object> workflow(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String name) {
		return echo(caller, name);
	}

	private static Map<String, Object> echo(Caller caller, String resource) {
		return Map.of("org_id", caller.orgId().toString(), "plan", caller.plan().stored(), "resource", resource);
	}

}
