package run.trakr.schema.event;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

import run.trakr.schema.event.Rejection.Reason;

/**
 * Typed access to one JSON object's fields, rejecting a bad one with its path and the
 * contract's reason.
 */
final class RecordFields {

	private static final Duration MAX_AHEAD_OF_CLOCK = Duration.ofHours(24);

	private static final Pattern MONEY_PATTERN = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

	private static final int MONEY_SCALE = 10;

	private final JsonNode node;

	private final String path;

	private final Instant now;

	RecordFields(JsonNode node, String path, Instant now) {
		this.node = node;
		this.path = path;
		this.now = now;
	}

	RecordFields object(String name) {
		JsonNode value = required(name);
		if (!value.isObject()) {
			throw wrongType(name, "an object");
		}
		return new RecordFields(value, this.path + name + ".", this.now);
	}

	String string(String name) {
		return string(name, 0, Integer.MAX_VALUE);
	}

	String string(String name, int minLength, int maxLength) {
		return checkLength(name, text(name, required(name)), minLength, maxLength);
	}

	Optional<String> optionalString(String name, int minLength, int maxLength) {
		return optional(name).map(value -> checkLength(name, text(name, value), minLength, maxLength));
	}

	UUID uuid(String name) {
		return toUuid(name, text(name, required(name)));
	}

	Optional<UUID> optionalUuid(String name) {
		return optional(name).map(value -> toUuid(name, text(name, value)));
	}

	Instant timestamp(String name) {
		String text = text(name, required(name));
		Instant instant;
		try {
			instant = DecoderFastPaths.parseUtc(text);
			if (instant == null) {
				instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
			}
		}
		catch (DateTimeException ex) {
			throw invalidTimestamp(name, text);
		}
		if (instant.isAfter(this.now.plus(MAX_AHEAD_OF_CLOCK))) {
			throw new InvalidField(Reason.TIMESTAMP_IN_FUTURE,
					field(name) + " " + text + " is more than 24 hours ahead of " + this.now);
		}
		// Kept to the microsecond with finer digits cut off, as the spec says
		// (ingest-events.md, guarantee 3): the driver would round them, and the
		// durations, rollups and verify derived from what is stored would disagree
		// with values derived from the event.
		return instant.truncatedTo(ChronoUnit.MICROS);
	}

	long count(String name) {
		JsonNode value = required(name);
		if (!value.isIntegralNumber()) {
			throw wrongType(name, "an integer");
		}
		if (!value.canConvertToLong()) {
			throw new InvalidField(Reason.INVALID_VALUE, field(name) + " is too large");
		}
		long count = value.longValue();
		if (count < 0) {
			throw new InvalidField(Reason.NEGATIVE_VALUE, field(name) + " is " + count);
		}
		return count;
	}

	BigDecimal money(String name) {
		String text = text(name, required(name));
		if (!MONEY_PATTERN.matcher(text).matches()) {
			throw new InvalidField(Reason.INVALID_VALUE, field(name) + " '" + text + "' is not a decimal string");
		}
		BigDecimal amount = new BigDecimal(text);
		if (amount.signum() < 0) {
			throw new InvalidField(Reason.NEGATIVE_VALUE, field(name) + " is " + text);
		}
		if (amount.scale() > MONEY_SCALE) {
			throw new InvalidField(Reason.INVALID_VALUE,
					field(name) + " '" + text + "' has more than " + MONEY_SCALE + " fractional digits");
		}
		return amount;
	}

	BigDecimal number(String name) {
		JsonNode value = required(name);
		if (!value.isNumber()) {
			throw wrongType(name, "a number");
		}
		return value.decimalValue();
	}

	boolean bool(String name) {
		JsonNode value = required(name);
		if (!value.isBoolean()) {
			throw wrongType(name, "a boolean");
		}
		return value.booleanValue();
	}

	<E extends Enum<E>> E requiredEnum(String name, Class<E> type) {
		return toEnum(name, text(name, required(name)), type);
	}

	<E extends Enum<E>> Optional<E> optionalEnum(String name, Class<E> type) {
		return optional(name).map(value -> toEnum(name, text(name, value), type));
	}

	private JsonNode required(String name) {
		JsonNode value = this.node.get(name);
		if (value == null || value.isNull()) {
			throw new InvalidField(Reason.MISSING_FIELD, field(name) + " is required");
		}
		return value;
	}

	private Optional<JsonNode> optional(String name) {
		JsonNode value = this.node.get(name);
		return (value == null || value.isNull()) ? Optional.empty() : Optional.of(value);
	}

	private String text(String name, JsonNode value) {
		if (!value.isString()) {
			throw wrongType(name, "a string");
		}
		return value.stringValue();
	}

	private String checkLength(String name, String text, int minLength, int maxLength) {
		int length = text.codePointCount(0, text.length());
		if (length < minLength || length > maxLength) {
			throw new InvalidField(Reason.INVALID_VALUE, field(name) + " has " + length
					+ " characters; the contract allows " + minLength + " to " + maxLength);
		}
		return text;
	}

	private UUID toUuid(String name, String text) {
		if (!DecoderFastPaths.isUuid(text)) {
			throw new InvalidField(Reason.INVALID_VALUE, field(name) + " '" + text + "' is not a UUID");
		}
		return UUID.fromString(text);
	}

	private <E extends Enum<E>> E toEnum(String name, String text, Class<E> type) {
		for (E constant : type.getEnumConstants()) {
			if (constant.name().toLowerCase(Locale.ROOT).equals(text)) {
				return constant;
			}
		}
		throw new InvalidField(Reason.INVALID_VALUE, field(name) + " '" + text + "' is not a known status");
	}

	private InvalidField invalidTimestamp(String name, String text) {
		try {
			LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
			return new InvalidField(Reason.TIMESTAMP_WITHOUT_OFFSET,
					field(name) + " '" + text + "' has no offset (add Z or +hh:mm)");
		}
		catch (DateTimeParseException ex) {
			return new InvalidField(Reason.INVALID_TIMESTAMP,
					field(name) + " '" + text + "' is not an ISO 8601 timestamp");
		}
	}

	private InvalidField wrongType(String name, String expected) {
		return new InvalidField(Reason.WRONG_TYPE,
				field(name) + " must be " + expected + ", not " + this.node.get(name).getNodeType());
	}

	private String field(String name) {
		return this.path + name;
	}

	/**
	 * Unwinds decoding at the first bad field; carries no stack trace, it is not a bug.
	 */
	static final class InvalidField extends RuntimeException {

		final Rejection rejection;

		InvalidField(Reason reason, String detail) {
			super(detail, null, false, false);
			this.rejection = new Rejection(reason, detail);
		}

	}

}
