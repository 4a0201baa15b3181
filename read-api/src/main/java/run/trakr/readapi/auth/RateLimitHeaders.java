package run.trakr.readapi.auth;

import jakarta.servlet.http.HttpServletResponse;

import run.trakr.readapi.ratelimit.RateLimitDecision;

/**
 * The remaining quota on every authenticated response, in the form of the IETF RateLimit
 * header fields draft: {@code RateLimit-Policy: "default";q=300;w=60} and
 * {@code RateLimit: "default";r=299;t=60}.
 */
final class RateLimitHeaders {

	private RateLimitHeaders() {
	}

	static void write(HttpServletResponse response, RateLimitDecision decision) {
		response.setHeader("RateLimit-Policy",
				"\"default\";q=" + decision.limit() + ";w=" + decision.window().toSeconds());
		response.setHeader("RateLimit",
				"\"default\";r=" + decision.remaining() + ";t=" + decision.secondsUntilSlotFrees());
	}

}
