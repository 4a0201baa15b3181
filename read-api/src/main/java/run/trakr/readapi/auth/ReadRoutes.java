package run.trakr.readapi.auth;

import java.util.List;

/**
 * The eight GET routes of the public dashboard API that accept a read token. Matched on
 * the raw request URI, so that an encoded {@code /} inside a workflow name stays inside
 * its segment.
 */
final class ReadRoutes {

	private static final List<String> EXACT = List.of("/api/runs", "/api/workflows", "/api/alert-events",
			"/api/metrics/overview");

	/** Followed by one segment: run detail and {@code /api/runs/compare}. */
	private static final String RUN = "/api/runs/";

	/** Followed by one segment and one of {@link #WORKFLOW_VIEWS}. */
	private static final String WORKFLOW = "/api/workflows/";

	private static final List<String> WORKFLOW_VIEWS = List.of("/stats", "/tools");

	private ReadRoutes() {
	}

	// Plain string checks rather than regular expressions: every request passes here.
	static boolean allows(String method, String rawPath) {
		if (!"GET".equals(method)) {
			return false;
		}
		if (EXACT.contains(rawPath)) {
			return true;
		}
		if (rawPath.startsWith(RUN)) {
			return isOneSegment(rawPath, RUN.length(), rawPath.length());
		}
		if (rawPath.startsWith(WORKFLOW)) {
			for (String view : WORKFLOW_VIEWS) {
				if (rawPath.endsWith(view)
						&& isOneSegment(rawPath, WORKFLOW.length(), rawPath.length() - view.length())) {
					return true;
				}
			}
		}
		return false;
	}

	/** True if {@code path[from, to)} is non-empty and holds no {@code /}. */
	private static boolean isOneSegment(String path, int from, int to) {
		int slash = path.indexOf('/', from);
		return from < to && (slash < 0 || slash >= to);
	}

}
