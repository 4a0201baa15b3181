package run.trakr.readapi.system;

/** Thrown by handlers to answer with a documented error. */
public class ApiException extends RuntimeException {

	private final ErrorCode code;

	private final ApiError body;

	public ApiException(ErrorCode code, ApiError body) {
		super(body.error(), null, false, false);
		this.code = code;
		this.body = body;
	}

	public ApiException(ErrorCode code) {
		this(code, ApiError.of(code));
	}

	public ErrorCode code() {
		return this.code;
	}

	public ApiError body() {
		return this.body;
	}

}
