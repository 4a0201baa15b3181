package run.trakr.readapi.system;

import java.io.IOException;
import java.io.Writer;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's own error page, for requests it rejects before any application code runs (for
 * example a path with a malformed %-escape), in the documented error shape instead of
 * HTML.
 */
class JsonErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0) {
			return;
		}
		ErrorCode code = switch (status) {
			case 400 -> ErrorCode.INVALID_PARAMETER;
			case 404 -> ErrorCode.NOT_FOUND;
			case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
			case 503 -> ErrorCode.SERVICE_UNAVAILABLE;
			default -> ErrorCode.INTERNAL_ERROR;
		};
		String message = (status == 400) ? "Malformed request." : code.message();
		try {
			response.setContentType("application/json");
			response.setCharacterEncoding("UTF-8");
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write("{\"error\":\"" + message + "\",\"code\":\"" + code.code() + "\"}");
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// the client has gone; nothing more to tell it
		}
	}

}
