package run.trakr.readapi.auth;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ReadRoutesTest {

	@ParameterizedTest(name = "{0} {1} -> {2}")
	@CsvSource({ "GET, /api/runs, true", "GET, /api/runs/8d0f6f1e-1111-4a53-9a58-2c1e6f3a9d10, true",
			"GET, /api/runs/compare, true", "GET, /api/workflows, true", "GET, /api/workflows/triage/stats, true",
			"GET, /api/workflows/a%2Fb/tools, true", "GET, /api/alert-events, true", "GET, /api/metrics/overview, true",
			"POST, /api/runs, false", "HEAD, /api/runs, false", "GET, /api/org/context, false",
			"GET, /api/runs/, false", "GET, /api/runs/x/y, false", "GET, /api/workflows//stats, false",
			"GET, /api/workflows/a/b/stats, false", "GET, /api/metrics, false", "GET, /API/runs, false",
			"GET, /api/runs;x=1, false", "GET, /api/workflows/triage, false", "GET, /api/alert-events/1, false",
			"GET, /api/workflows/stats, false", "GET, /api/workflows/a%2Fb, false", "GET, /api/runs/a%2Fb, true",
			"GET, /api/workflows/x/stats/, false", "GET, /api/workflows/x/statsx, false", "GET, /api/runsx, false" })
	void allowsExactlyTheEightGetRoutes(String method, String path, boolean allowed) {
		assertThat(ReadRoutes.allows(method, path)).isEqualTo(allowed);
	}

}
