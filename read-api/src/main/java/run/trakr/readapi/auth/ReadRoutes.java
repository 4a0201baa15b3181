package run.trakr.readapi.auth;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The eight GET routes of the public dashboard API that accept a read token. Matched on
 * the raw request URI, so that an encoded {@code /} inside a workflow name stays inside
 * its segment.
 */
final class ReadRoutes {

	private static final String SEGMENT = "[^/]+";

	private static final List<Pattern> ALLOWLIST = List.of(Pattern.compile("/api/runs"),
			// run detail and /api/runs/compare
			Pattern.compile("/api/runs/" + SEGMENT), Pattern.compile("/api/workflows"),
			Pattern.compile("/api/workflows/" + SEGMENT + "/stats"),
			Pattern.compile("/api/workflows/" + SEGMENT + "/tools"), Pattern.compile("/api/alert-events"),
			Pattern.compile("/api/metrics/overview"));

	private ReadRoutes() {
	}

	static boolean allows(String method, String rawPath) {
		return "GET".equals(method) && ALLOWLIST.stream().anyMatch(route -> route.matcher(rawPath).matches());
	}

}
