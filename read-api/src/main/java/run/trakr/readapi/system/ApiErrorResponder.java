package run.trakr.readapi.system;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/** Writes {@link ApiError} bodies from places outside Spring MVC's handlers (filters). */
@Component
public class ApiErrorResponder {

	private final JsonMapper json;

	ApiErrorResponder(JsonMapper json) {
		this.json = json;
	}

	public void write(HttpServletResponse response, ErrorCode code, ApiError body) throws IOException {
		response.setStatus(code.status().value());
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		if (code.status().value() == HttpServletResponse.SC_UNAUTHORIZED) {
			response.setHeader("WWW-Authenticate", "Bearer realm=\"trakr\", error=\"" + code.code() + "\"");
		}
		this.json.writeValue(response.getOutputStream(), body);
	}

	public void write(HttpServletResponse response, ErrorCode code) throws IOException {
		write(response, code, ApiError.of(code));
	}

}
