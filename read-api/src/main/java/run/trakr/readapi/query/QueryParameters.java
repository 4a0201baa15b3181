package run.trakr.readapi.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.tomcat.util.http.InvalidParameterException;

import run.trakr.readapi.system.ApiError;
import run.trakr.readapi.system.ApiException;
import run.trakr.readapi.system.ErrorCode;

/**
 * Reads a request's query parameters and collects every problem, so that one 400 lists
 * each bad parameter. A getter returns {@code null} (or the default) for a bad value;
 * call {@link #validate()} before using any of them.
 */
public final class QueryParameters {

	private static final Pattern UUID_TEXT = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	/**
	 * Money filters beyond this are certainly a mistake, and PostgreSQL must not see
	 * them.
	 */
	private static final BigDecimal MONEY_LIMIT = new BigDecimal("1000000000000");

	/**
	 * More parameters than any route reads (Tomcat stops parsing past this, see
	 * {@code server.tomcat.max-parameter-count}).
	 */
	public static final int MAX_PARAMETERS = 100;

	/** Longer than any stored name (workflow names are at most 200 characters). */
	private static final int MAX_TEXT_LENGTH = 1000;

	private final Map<String, String[]> values;

	private final List<ApiError.ParameterProblem> problems = new ArrayList<>();

	public QueryParameters(Map<String, String[]> values) {
		this.values = values;
	}

	/**
	 * The request's parameters; a 400 when there are more than {@link #MAX_PARAMETERS}.
	 */
	public static QueryParameters of(HttpServletRequest request) {
		// Counted in the raw query string: Tomcat drops what is past its limit, and
		// throws
		// only the first time anything asks for a parameter.
		if (RawQuery.parameterCount(request.getQueryString()) > MAX_PARAMETERS) {
			throw RawQuery.tooManyParameters();
		}
		Map<String, String[]> values;
		try {
			values = request.getParameterMap();
		}
		catch (InvalidParameterException ex) {
			throw RawQuery.malformed(ex);
		}
		return new QueryParameters(values);
	}

	/**
	 * Values from elsewhere than the query string (a signed cursor's), read by the same
	 * rules; a null value is absent.
	 */
	public static QueryParameters ofValues(Map<String, String> values) {
		Map<String, String[]> given = new HashMap<>();
		values.forEach((name, value) -> {
			if (value != null) {
				given.put(name, new String[] { value });
			}
		});
		return new QueryParameters(given);
	}

	/** Whether the query names the parameter at all. */
	public boolean has(String name) {
		return this.values.containsKey(name);
	}

	/** A parameter given once at most; a repeated one is a problem. */
	public String single(String name) {
		String[] given = this.values.get(name);
		if (given == null || given.length == 0) {
			return null;
		}
		if (given.length > 1) {
			problem(name, "must be given at most once");
			return null;
		}
		return isText(name, given[0]) ? given[0] : null;
	}

	/** Every value of a repeatable parameter, empty when absent. */
	public List<String> repeated(String name) {
		String[] given = this.values.get(name);
		if (given == null) {
			return List.of();
		}
		for (String value : given) {
			if (!isText(name, value)) {
				return List.of();
			}
		}
		return Arrays.asList(given);
	}

	/**
	 * Whether a value is text a route can use: no control characters (PostgreSQL refuses
	 * NUL in text, and no stored name holds one) and a bounded length.
	 */
	public boolean isText(String name, String value) {
		if (value.length() > MAX_TEXT_LENGTH) {
			problem(name, "must be at most " + MAX_TEXT_LENGTH + " characters");
			return false;
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < 0x20 || c == 0x7f) {
				problem(name, "must not contain control characters");
				return false;
			}
		}
		return true;
	}

	/** ASCII digits only: Java's parsers also take other scripts' digits (１). */
	private static boolean isAsciiNumber(String value) {
		for (int i = 0; i < value.length(); i++) {
			if (value.charAt(i) > 0x7e) {
				return false;
			}
		}
		return true;
	}

	/** Every value, each of which must be one of {@code allowed}. */
	public List<String> repeatedOneOf(String name, Collection<String> allowed) {
		List<String> given = repeated(name);
		for (String value : given) {
			if (!allowed.contains(value)) {
				problem(name, "must be one of " + String.join(", ", allowed));
				return List.of();
			}
		}
		return given;
	}

	public String oneOf(String name, Collection<String> allowed, String fallback) {
		String value = single(name);
		if (value == null) {
			return fallback;
		}
		if (!allowed.contains(value)) {
			problem(name, "must be one of " + String.join(", ", allowed));
			return fallback;
		}
		return value;
	}

	/**
	 * An ISO 8601 timestamp with an offset, or an integer of epoch milliseconds
	 * (extensions.md §3), in the years 1 to 9999; see {@link TimeWindow#parse}.
	 */
	public Instant instant(String name) {
		String value = single(name);
		if (value == null) {
			return null;
		}
		Instant parsed = TimeWindow.parse(value);
		if (parsed == null) {
			problem(name, "must be an ISO 8601 timestamp with an offset, e.g. 2026-11-28T14:00:00Z, "
					+ "or an integer of epoch milliseconds");
			return null;
		}
		// In UTC: 0001-01-01T00:00:00+01:00 is still in year 0.
		if (parsed.isBefore(TimeWindow.EARLIEST) || parsed.isAfter(TimeWindow.LATEST)) {
			problem(name, "must be between the years 1 and 9999 (UTC)");
			return null;
		}
		return parsed;
	}

	/** A decimal amount of money in USD. */
	public BigDecimal money(String name) {
		String value = single(name);
		if (value == null) {
			return null;
		}
		try {
			if (!isAsciiNumber(value)) {
				throw new NumberFormatException();
			}
			BigDecimal amount = new BigDecimal(value.trim());
			if (amount.abs().compareTo(MONEY_LIMIT) >= 0 || amount.scale() > 10) {
				problem(name, "must be a decimal number below 10^12 with at most 10 fractional digits");
				return null;
			}
			return amount;
		}
		catch (NumberFormatException ex) {
			problem(name, "must be a decimal number");
			return null;
		}
	}

	public int integer(String name, int min, int max, int fallback) {
		String value = single(name);
		if (value == null) {
			return fallback;
		}
		try {
			int parsed = isAsciiNumber(value) ? Integer.parseInt(value.trim()) : Integer.MIN_VALUE;
			if (parsed >= min && parsed <= max) {
				return parsed;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		problem(name, "must be an integer from " + min + " to " + max);
		return fallback;
	}

	/** {@code true} or {@code false}; {@code null} when absent. */
	public Boolean bool(String name) {
		String value = single(name);
		if (value == null) {
			return null;
		}
		return switch (value) {
			case "true" -> Boolean.TRUE;
			case "false" -> Boolean.FALSE;
			default -> {
				problem(name, "must be true or false");
				yield null;
			}
		};
	}

	/** A required UUID. */
	public UUID uuid(String name) {
		String value = single(name);
		if (value == null) {
			if (!this.values.containsKey(name)) {
				problem(name, "is required");
			}
			return null;
		}
		return parseUuid(name, value);
	}

	public UUID parseUuid(String name, String value) {
		if (!UUID_TEXT.matcher(value).matches()) {
			problem(name, "must be a UUID");
			return null;
		}
		return UUID.fromString(value);
	}

	public void problem(String name, String message) {
		this.problems.add(new ApiError.ParameterProblem(name, message));
	}

	public boolean hasProblems() {
		return !this.problems.isEmpty();
	}

	/** Throws the 400 listing every problem found so far, if any. */
	public void validate() {
		if (!this.problems.isEmpty()) {
			throw invalid(this.problems);
		}
	}

	public static ApiException invalid(List<ApiError.ParameterProblem> problems) {
		return new ApiException(ErrorCode.INVALID_PARAMETER, new ApiError(ErrorCode.INVALID_PARAMETER.message(),
				ErrorCode.INVALID_PARAMETER.code(), List.copyOf(problems)));
	}

	public static ApiException invalid(String param, String message) {
		return invalid(List.of(new ApiError.ParameterProblem(param, message)));
	}

}
