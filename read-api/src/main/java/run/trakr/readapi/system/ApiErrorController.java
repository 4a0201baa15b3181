package run.trakr.readapi.system;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page (errors raised before or outside Spring MVC, such as a
 * malformed request line) in the documented shape instead of Boot's default body.
 */
@RestController
class ApiErrorController implements ErrorController {

	@RequestMapping("/error")
	ResponseEntity<ApiError> error(HttpServletRequest request) {
		Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus httpStatus = (status instanceof Integer code) ? HttpStatus.resolve(code) : null;
		ErrorCode code = errorCode(httpStatus);
		return ResponseEntity.status((httpStatus != null) ? httpStatus : code.status()).body(ApiError.of(code));
	}

	private static ErrorCode errorCode(HttpStatus status) {
		if (status == null) {
			return ErrorCode.INTERNAL_ERROR;
		}
		return switch (status) {
			case BAD_REQUEST -> ErrorCode.INVALID_PARAMETER;
			case NOT_FOUND -> ErrorCode.NOT_FOUND;
			case METHOD_NOT_ALLOWED -> ErrorCode.METHOD_NOT_ALLOWED;
			case SERVICE_UNAVAILABLE -> ErrorCode.SERVICE_UNAVAILABLE;
			default -> ErrorCode.INTERNAL_ERROR;
		};
	}

}
