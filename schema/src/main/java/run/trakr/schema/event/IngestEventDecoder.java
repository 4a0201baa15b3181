package run.trakr.schema.event;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.schema.event.IngestEvent.AlertFired;
import run.trakr.schema.event.IngestEvent.AlertResolved;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.event.IngestEvent.EndStatus;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.event.Rejection.Reason;

/**
 * Turns the value of a {@code trakr.ingest.v1} record into an {@link IngestEvent}, or
 * into a {@link Rejection} for each kind of bad record the contract names. Unknown extra
 * fields are ignored; only the limits the contract states are enforced, so nothing valid
 * is rejected.
 */
public final class IngestEventDecoder {

	/** The contract's limit on a record value. */
	public static final int MAX_RECORD_BYTES = 1024 * 1024;

	private static final Duration MAX_AHEAD_OF_CLOCK = Duration.ofHours(24);

	private static final Pattern MONEY_PATTERN = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");

	private static final int MONEY_SCALE = 10;

	private final JsonMapper json = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
		.build();

	private final Clock clock;

	public IngestEventDecoder(Clock clock) {
		this.clock = clock;
	}

	/** Decodes one record value; never throws for bad input. */
	public DecodeResult decode(byte[] value) {
		if (value == null || value.length == 0) {
			return rejected(Reason.INVALID_JSON, "the record has no value");
		}
		if (value.length > MAX_RECORD_BYTES) {
			return rejected(Reason.RECORD_TOO_LARGE, value.length + " bytes, over the limit of " + MAX_RECORD_BYTES);
		}
		JsonNode root;
		try {
			root = this.json.readTree(value);
		}
		catch (JacksonException ex) {
			return rejected(Reason.INVALID_JSON, ex.getOriginalMessage());
		}
		if (root == null || !root.isObject()) {
			return rejected(Reason.INVALID_JSON, "the value is not a JSON object");
		}
		try {
			return new DecodeResult.Accepted(decode(new Fields(root, "", this.clock.instant())));
		}
		catch (InvalidField ex) {
			return new DecodeResult.Rejected(ex.rejection);
		}
	}

	private IngestEvent decode(Fields record) {
		String type = record.string("type");
		BiFunction<Envelope, Fields, IngestEvent> decoder = switch (type) {
			case "run_started" -> IngestEventDecoder::runStarted;
			case "llm_call" -> IngestEventDecoder::llmCall;
			case "tool_use" -> IngestEventDecoder::toolUse;
			case "run_ended" -> IngestEventDecoder::runEnded;
			case "alert_fired" -> IngestEventDecoder::alertFired;
			case "alert_resolved" -> IngestEventDecoder::alertResolved;
			default -> throw new InvalidField(Reason.UNKNOWN_TYPE, "type '" + type + "' is not in the contract");
		};
		Envelope envelope = new Envelope(record.uuid("event_id"), record.uuid("org_id"),
				record.timestamp("occurred_at"));
		Fields data = record.object("data");
		return decoder.apply(envelope, data);
	}

	private static IngestEvent runStarted(Envelope envelope, Fields data) {
		return new RunStarted(envelope, data.uuid("run_id"), data.string("workflow_name", 1, 200),
				data.timestamp("started_at"), data.optionalString("run_id_external", 0, 200),
				data.optionalUuid("parent_run_id"));
	}

	private static IngestEvent llmCall(Envelope envelope, Fields data) {
		return new LlmCallRecorded(envelope, data.uuid("run_id"), data.uuid("call_id"), data.string("model"),
				data.optionalString("provider", 0, Integer.MAX_VALUE), data.count("input_tokens"),
				data.count("output_tokens"), data.money("cost_usd"), data.count("latency_ms"),
				data.timestamp("started_at"), data.optionalEnum("status", CallStatus.class).orElse(CallStatus.SUCCESS));
	}

	private static IngestEvent toolUse(Envelope envelope, Fields data) {
		return new ToolUsed(envelope, data.uuid("run_id"), data.uuid("tool_event_id"), data.string("tool_name", 1, 200),
				data.requiredEnum("status", CallStatus.class), data.count("duration_ms"), data.timestamp("started_at"));
	}

	private static IngestEvent runEnded(Envelope envelope, Fields data) {
		return new RunEnded(envelope, data.uuid("run_id"), data.requiredEnum("status", EndStatus.class),
				data.timestamp("ended_at"));
	}

	private static IngestEvent alertFired(Envelope envelope, Fields data) {
		return new AlertFired(envelope, data.uuid("alert_event_id"), data.string("alert_rule_id"),
				data.string("alert_rule_name"), data.optionalUuid("run_id"),
				data.optionalString("workflow_name", 1, 200), data.number("triggered_value"),
				data.number("threshold_value"), data.bool("notification_sent"), data.timestamp("fired_at"));
	}

	private static IngestEvent alertResolved(Envelope envelope, Fields data) {
		return new AlertResolved(envelope, data.uuid("alert_event_id"), data.timestamp("resolved_at"));
	}

	/**
	 * The shape SDKs send, {@code 2026-11-28T14:00:00[.fraction]Z}, parsed by hand: the
	 * formatter took a third of decoding. Null for any other shape, which the formatter
	 * then decides; throws for an impossible date or time, as the formatter would.
	 */
	static Instant parseUtc(String text) {
		int length = text.length();
		if (length < 20 || length > 30 || length == 21 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
				|| text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
				|| (length > 20 && text.charAt(19) != '.')) {
			return null;
		}
		int nanos = 0;
		int scale = 100_000_000;
		for (int i = 20; i < length - 1; i++, scale /= 10) {
			int digit = digit(text, i);
			if (digit < 0) {
				return null;
			}
			nanos += digit * scale;
		}
		int year = number(text, 0, 4);
		int month = number(text, 5, 7);
		int day = number(text, 8, 10);
		int hour = number(text, 11, 13);
		int minute = number(text, 14, 16);
		int second = number(text, 17, 19);
		if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
			return null;
		}
		return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
	}

	/**
	 * Canonical 8-4-4-4-12 hex only; {@link UUID#fromString} alone accepts shorter
	 * groups.
	 */
	static boolean isUuid(String text) {
		if (text.length() != 36) {
			return false;
		}
		for (int i = 0; i < 36; i++) {
			char c = text.charAt(i);
			boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
			boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
			if (dash ? c != '-' : !hex) {
				return false;
			}
		}
		return true;
	}

	private static int number(String text, int from, int to) {
		int value = 0;
		for (int i = from; i < to; i++) {
			int digit = digit(text, i);
			if (digit < 0) {
				return -1;
			}
			value = value * 10 + digit;
		}
		return value;
	}

	private static int digit(String text, int index) {
		char c = text.charAt(index);
		return (c >= '0' && c <= '9') ? c - '0' : -1;
	}

	private static DecodeResult rejected(Reason reason, String detail) {
		return new DecodeResult.Rejected(new Rejection(reason, detail));
	}

	/** Typed access to one JSON object's fields, rejecting with the field's path. */
	private static final class Fields {

		private final JsonNode node;

		private final String path;

		private final Instant now;

		Fields(JsonNode node, String path, Instant now) {
			this.node = node;
			this.path = path;
			this.now = now;
		}

		Fields object(String name) {
			JsonNode value = required(name);
			if (!value.isObject()) {
				throw wrongType(name, "an object");
			}
			return new Fields(value, this.path + name + ".", this.now);
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
				instant = parseUtc(text);
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
			if (!isUuid(text)) {
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

	}

	/**
	 * Unwinds decoding at the first bad field; carries no stack trace, it is not a bug.
	 */
	private static final class InvalidField extends RuntimeException {

		private final Rejection rejection;

		InvalidField(Reason reason, String detail) {
			super(detail, null, false, false);
			this.rejection = new Rejection(reason, detail);
		}

	}

}
