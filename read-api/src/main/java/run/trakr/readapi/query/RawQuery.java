package run.trakr.readapi.query;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import org.apache.tomcat.util.http.InvalidParameterException;

import run.trakr.readapi.system.ApiException;

/**
 * The query string as the client sent it, read before (or instead of) Tomcat's parser:
 * Tomcat drops parameters past its limit and throws only the first time anything asks for
 * one, so the gate's filters count and look here.
 */
public final class RawQuery {

	private RawQuery() {
	}

	/** The {@code &}-separated parts of a query string, the empty ones left out. */
	public static int parameterCount(String query) {
		if (query == null || query.isEmpty()) {
			return 0;
		}
		int count = 0;
		int start = 0;
		while (start <= query.length()) {
			int end = query.indexOf('&', start);
			end = (end < 0) ? query.length() : end;
			count += (end > start) ? 1 : 0;
			start = end + 1;
		}
		return count;
	}

	/**
	 * Whether the raw query string has the parameter (with this value, unless null),
	 * decoded as Tomcat decodes it ({@code cost%5Fmin} is {@code cost_min}), without
	 * Tomcat parsing it. A part that does not decode is not a match: the handler refuses
	 * it.
	 */
	public static boolean has(String query, String name, String value) {
		if (query == null) {
			return false;
		}
		for (String part : query.split("&", QueryParameters.MAX_PARAMETERS + 1)) {
			int equals = part.indexOf('=');
			try {
				String key = URLDecoder.decode((equals < 0) ? part : part.substring(0, equals), StandardCharsets.UTF_8);
				if (key.equals(name) && (value == null || (equals >= 0
						&& URLDecoder.decode(part.substring(equals + 1), StandardCharsets.UTF_8).equals(value)))) {
					return true;
				}
			}
			catch (IllegalArgumentException malformed) {
				// not a match
			}
		}
		return false;
	}

	/**
	 * Tomcat's refusal to parse a query string: past its parameter limit, or a part it
	 * cannot read (an empty name, a malformed escape).
	 */
	public static ApiException malformed(InvalidParameterException ex) {
		return (ex.getMessage() != null && ex.getMessage().contains("maximum number")) ? tooManyParameters()
				: QueryParameters.invalid("query", "is malformed (an empty parameter name or a bad %-escape)");
	}

	static ApiException tooManyParameters() {
		return QueryParameters.invalid("query", "must have at most " + QueryParameters.MAX_PARAMETERS + " parameters");
	}

}
