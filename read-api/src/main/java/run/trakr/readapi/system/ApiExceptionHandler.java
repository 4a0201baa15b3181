package run.trakr.readapi.system;

import java.util.List;

import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.TransactionException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import run.trakr.readapi.query.RawQuery;

/**
 * Maps what handlers throw to the documented error shape. Nothing internal (stack trace,
 * SQL, token) reaches the body; unexpected failures are logged here instead.
 */
@RestControllerAdvice
class ApiExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

	@ExceptionHandler(ApiException.class)
	ResponseEntity<ApiError> apiException(ApiException ex) {
		return respond(ex.code(), ex.body());
	}

	/** A query string Tomcat cannot parse, met while matching a route. */
	@ExceptionHandler(InvalidParameterException.class)
	ResponseEntity<ApiError> malformedQuery(InvalidParameterException ex) {
		ApiException invalid = RawQuery.malformed(ex);
		return respond(invalid.code(), invalid.body());
	}

	@ExceptionHandler(MissingServletRequestParameterException.class)
	ResponseEntity<ApiError> missingParameter(MissingServletRequestParameterException ex) {
		return invalidParameter(ex.getParameterName(), "is required");
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<ApiError> typeMismatch(MethodArgumentTypeMismatchException ex) {
		return invalidParameter(ex.getName(), "has an invalid value");
	}

	@ExceptionHandler(NoResourceFoundException.class)
	ResponseEntity<ApiError> noRoute(NoResourceFoundException ex) {
		return respond(ErrorCode.NOT_FOUND, ApiError.of(ErrorCode.NOT_FOUND));
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<ApiError> wrongMethod(HttpRequestMethodNotSupportedException ex) {
		return respond(ErrorCode.METHOD_NOT_ALLOWED, ApiError.of(ErrorCode.METHOD_NOT_ALLOWED));
	}

	/**
	 * The database failed or did not answer in time (no connection within the pool's
	 * timeout, a statement or socket timeout): 503, logged as one line with its cause.
	 */
	@ExceptionHandler({ DataAccessException.class, TransactionException.class })
	ResponseEntity<ApiError> databaseUnavailable(RuntimeException ex) {
		if (DatabaseFailures.isOutage(ex)) {
			log.warn("Database access failed: {}", DatabaseFailures.cause(ex));
		}
		else {
			// Not the database's state but a statement it refused: a bug, with its trace.
			log.error("Database refused a statement", ex);
		}
		return respond(ErrorCode.SERVICE_UNAVAILABLE, ApiError.of(ErrorCode.SERVICE_UNAVAILABLE));
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ApiError> unexpected(Exception ex) {
		log.error("Unexpected failure", ex);
		return respond(ErrorCode.INTERNAL_ERROR, ApiError.of(ErrorCode.INTERNAL_ERROR));
	}

	private static ResponseEntity<ApiError> invalidParameter(String param, String message) {
		return respond(ErrorCode.INVALID_PARAMETER, new ApiError(ErrorCode.INVALID_PARAMETER.message(),
				ErrorCode.INVALID_PARAMETER.code(), List.of(new ApiError.ParameterProblem(param, message))));
	}

	/** Always JSON, whatever the request's Accept: an error has one shape. */
	private static ResponseEntity<ApiError> respond(ErrorCode code, ApiError body) {
		return ResponseEntity.status(code.status()).contentType(MediaType.APPLICATION_JSON).body(body);
	}

}
