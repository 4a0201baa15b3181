package run.trakr.readapi.system;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The documented error body, {@code {error, code, details?}}. {@code details} lists each
 * bad parameter of a 400.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String code, List<ParameterProblem> details) {

	/** One bad query parameter. */
	public record ParameterProblem(String param, String message) {
	}

	public static ApiError of(ErrorCode code) {
		return new ApiError(code.message(), code.code(), null);
	}

	public static ApiError of(ErrorCode code, String message) {
		return new ApiError(message, code.code(), null);
	}

}
