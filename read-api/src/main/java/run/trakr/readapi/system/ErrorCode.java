package run.trakr.readapi.system;

import org.springframework.http.HttpStatus;

/**
 * Every error the API returns: its status, its stable {@code code}, and a default
 * message.
 */
public enum ErrorCode {

	MISSING_TOKEN(HttpStatus.UNAUTHORIZED, "missing_token", "Send a read token: Authorization: Bearer tk_read_..."),
	INVALID_TOKEN(HttpStatus.UNAUTHORIZED, "invalid_token", "The token is not a valid read token."),
	REVOKED_TOKEN(HttpStatus.UNAUTHORIZED, "revoked_token", "The token has been revoked."),
	INGEST_KEY_NOT_ALLOWED(HttpStatus.UNAUTHORIZED, "ingest_key_not_allowed",
			"tk_live_ ingest keys are not accepted on read routes; create a read token."),
	ROUTE_NOT_ALLOWED(HttpStatus.UNAUTHORIZED, "route_not_allowed",
			"Read tokens are accepted only on the allowlisted GET routes."),
	PLAN_UPGRADE_REQUIRED(HttpStatus.FORBIDDEN, "plan_upgrade_required", "This route needs the Pro or Scale plan."),
	NOT_FOUND(HttpStatus.NOT_FOUND, "not_found", "Not found."),
	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed."),
	NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not_acceptable",
			"The Accept header allows none of this route's formats."),
	INVALID_PARAMETER(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid query parameters."),
	INVALID_CURSOR(HttpStatus.BAD_REQUEST, "invalid_cursor", "The cursor is not valid for this query."),
	RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate_limited", "Rate limit exceeded; retry after Retry-After seconds."),
	TOO_MANY_CONCURRENT_REQUESTS(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
			"Too many requests of this organization at once; retry after Retry-After seconds."),
	AUTHENTICATION_THROTTLED(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
			"Too many failed authentications from this address; retry after Retry-After seconds."),
	SERVICE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable",
			"The service is temporarily unavailable; retry shortly."),
	INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "Internal error.");

	private final HttpStatus status;

	private final String code;

	private final String message;

	ErrorCode(HttpStatus status, String code, String message) {
		this.status = status;
		this.code = code;
		this.message = message;
	}

	public HttpStatus status() {
		return this.status;
	}

	public String code() {
		return this.code;
	}

	public String message() {
		return this.message;
	}

}
