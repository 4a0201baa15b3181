package run.trakr.schema.event;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

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

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.event.IngestEventJson.bytes;
import static run.trakr.schema.event.IngestEventJson.data;

class IngestEventDecoderTest {

	private static final Instant NOW = Instant.parse("2026-11-28T15:00:00Z");

	private final IngestEventDecoder decoder = new IngestEventDecoder(Clock.fixed(NOW, ZoneOffset.UTC));

	private static final Envelope ENVELOPE = new Envelope(UUID.fromString(IngestEventJson.EVENT_ID),
			UUID.fromString(IngestEventJson.ORG_ID), Instant.parse("2026-11-28T14:00:00.123Z"));

	private static final UUID RUN = UUID.fromString(IngestEventJson.RUN_ID);

	@Test
	void decodesRunStartedWithItsOptionalFields() {
		assertThat(accepted(IngestEventJson.runStarted()))
			.isEqualTo(new RunStarted(ENVELOPE, RUN, "support-triage", Instant.parse("2026-11-28T14:00:00.123Z"),
					Optional.of("ticket-4711"), Optional.of(UUID.fromString(IngestEventJson.PARENT_RUN_ID))));
	}

	@Test
	void decodesRunStartedWithoutOptionalFields() {
		ObjectNode event = IngestEventJson.runStarted();
		data(event).remove("run_id_external");
		data(event).putNull("parent_run_id");
		RunStarted started = (RunStarted) accepted(event);
		assertThat(started.runIdExternal()).isEmpty();
		assertThat(started.parentRunId()).isEmpty();
	}

	@Test
	void decodesLlmCallWithExactCostAndDefaultStatus() {
		assertThat(accepted(IngestEventJson.llmCall())).isEqualTo(new LlmCallRecorded(ENVELOPE, RUN,
				UUID.fromString(IngestEventJson.CALL_ID), "gpt-4o-mini", Optional.of("openai"), 1200, 350,
				new BigDecimal("0.0000125"), 840, Instant.parse("2026-11-28T14:00:01Z"), CallStatus.SUCCESS));
	}

	@Test
	void decodesLlmCallErrorStatus() {
		ObjectNode event = IngestEventJson.llmCall();
		data(event).put("status", "error");
		assertThat(((LlmCallRecorded) accepted(event)).status()).isEqualTo(CallStatus.ERROR);
	}

	@Test
	void decodesToolUseAndConvertsItsOffsetToUtc() {
		assertThat(accepted(IngestEventJson.toolUse()))
			.isEqualTo(new ToolUsed(ENVELOPE, RUN, UUID.fromString(IngestEventJson.TOOL_EVENT_ID), "web_search",
					CallStatus.ERROR, 1500, Instant.parse("2026-11-28T13:00:02Z")));
	}

	@Test
	void decodesRunEnded() {
		assertThat(accepted(IngestEventJson.runEnded()))
			.isEqualTo(new RunEnded(ENVELOPE, RUN, EndStatus.LOOP_DETECTED, Instant.parse("2026-11-28T14:05:00Z")));
	}

	@Test
	void decodesAlertFiredWithExactNumbers() {
		assertThat(accepted(IngestEventJson.alertFired()))
			.isEqualTo(new AlertFired(ENVELOPE, UUID.fromString(IngestEventJson.ALERT_EVENT_ID), "rule-cost-spike",
					"Cost spike", Optional.of(RUN), Optional.of("support-triage"), new BigDecimal("12.5"),
					new BigDecimal("10"), true, Instant.parse("2026-11-28T14:06:00Z")));
	}

	@Test
	void decodesAlertResolved() {
		assertThat(accepted(IngestEventJson.alertResolved())).isEqualTo(new AlertResolved(ENVELOPE,
				UUID.fromString(IngestEventJson.ALERT_EVENT_ID), Instant.parse("2026-11-28T15:00:00Z")));
	}

	@Test
	void ignoresUnknownFieldsAnywhere() {
		ObjectNode event = IngestEventJson.llmCall();
		event.put("sdk_version", "1.2.3");
		data(event).putObject("extra").put("nested", true);
		assertThat(accepted(event)).isEqualTo(accepted(IngestEventJson.llmCall()));
	}

	@Test
	void acceptsUppercaseUuidsAsTheSameIds() {
		ObjectNode event = IngestEventJson.runEnded();
		data(event).put("run_id", IngestEventJson.RUN_ID.toUpperCase());
		assertThat(((RunEnded) accepted(event)).runId()).isEqualTo(RUN);
	}

	@Test
	void acceptsARecordOfExactlyTheMaximumSize() {
		ObjectNode event = IngestEventJson.runEnded();
		int size = bytes(event).length;
		event.put("padding", "");
		int overhead = bytes(event).length - size;
		event.put("padding", "x".repeat(IngestEventDecoder.MAX_RECORD_BYTES - size - overhead));
		assertThat(bytes(event)).hasSize(IngestEventDecoder.MAX_RECORD_BYTES);
		assertThat(this.decoder.decode(bytes(event))).isInstanceOf(DecodeResult.Accepted.class);
	}

	@ParameterizedTest
	@CsvSource({ "2026-11-28T14:00:00.000999391Z, 2026-11-28T14:00:00.000999Z",
			"2026-11-28T14:00:01.0009995Z, 2026-11-28T14:00:01.000999Z",
			"2026-11-28T15:00:00.1234569+01:00, 2026-11-28T14:00:00.123456Z",
			"2026-11-28T14:00:00.123456Z, 2026-11-28T14:00:00.123456Z", "2026-11-28T14:00:00Z, 2026-11-28T14:00:00Z" })
	void keepsTimestampsToTheMicrosecondCuttingFinerDigits(String sent, String kept) {
		ObjectNode event = IngestEventJson.runEnded();
		data(event).put("ended_at", sent);
		assertThat(((RunEnded) accepted(event)).endedAt()).isEqualTo(Instant.parse(kept));
	}

	@Test
	void acceptsTimestampsUpTo24HoursAhead() {
		ObjectNode event = IngestEventJson.runEnded();
		data(event).put("ended_at", NOW.plusSeconds(24 * 3600).toString());
		assertThat(this.decoder.decode(bytes(event))).isInstanceOf(DecodeResult.Accepted.class);
	}

	static Stream<Arguments> badRecords() {
		return Stream.of(bad("truncated JSON", Reason.INVALID_JSON, raw("{\"type\": \"run_ended\", ")),
				bad("JSON array", Reason.INVALID_JSON, raw("[1, 2]")),
				bad("empty value", Reason.INVALID_JSON, () -> new byte[0]),
				bad("no value at all", Reason.INVALID_JSON, () -> null),
				bad("trailing garbage", Reason.INVALID_JSON,
						() -> concat(bytes(IngestEventJson.runEnded()), " {}".getBytes(StandardCharsets.UTF_8))),
				bad("duplicate key", Reason.INVALID_JSON, raw("{\"type\": \"run_ended\", \"type\": \"run_started\"}")),
				bad("invalid UTF-8", Reason.INVALID_JSON,
						() -> new byte[] { '{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' }),
				bad("over 1 MiB", Reason.RECORD_TOO_LARGE,
						spoiled(IngestEventJson.runEnded(),
								e -> e.put("padding", "x".repeat(IngestEventDecoder.MAX_RECORD_BYTES)))),
				bad("unknown type", Reason.UNKNOWN_TYPE,
						spoiled(IngestEventJson.runEnded(), e -> e.put("type", "run_paused"))),
				bad("missing type", Reason.MISSING_FIELD, spoiled(IngestEventJson.runEnded(), e -> e.remove("type"))),
				bad("missing event_id", Reason.MISSING_FIELD,
						spoiled(IngestEventJson.runEnded(), e -> e.remove("event_id"))),
				bad("missing data", Reason.MISSING_FIELD, spoiled(IngestEventJson.runEnded(), e -> e.remove("data"))),
				bad("missing data.run_id", Reason.MISSING_FIELD,
						spoiled(IngestEventJson.llmCall(), e -> data(e).remove("run_id"))),
				bad("null required field", Reason.MISSING_FIELD,
						spoiled(IngestEventJson.toolUse(), e -> data(e).putNull("tool_name"))),
				bad("missing notification_sent", Reason.MISSING_FIELD,
						spoiled(IngestEventJson.alertFired(), e -> data(e).remove("notification_sent"))),
				bad("cost as a number", Reason.WRONG_TYPE,
						spoiled(IngestEventJson.llmCall(), e -> data(e).put("cost_usd", 0.5))),
				bad("tokens as a string", Reason.WRONG_TYPE,
						spoiled(IngestEventJson.llmCall(), e -> data(e).put("input_tokens", "12"))),
				bad("tokens as a fraction", Reason.WRONG_TYPE,
						spoiled(IngestEventJson.llmCall(), e -> data(e).put("input_tokens", 1.5))),
				bad("data as a string", Reason.WRONG_TYPE,
						spoiled(IngestEventJson.runEnded(), e -> e.put("data", "x"))),
				bad("boolean as a string", Reason.WRONG_TYPE,
						spoiled(IngestEventJson.alertFired(), e -> data(e).put("notification_sent", "true"))),
				bad("negative cost", Reason.NEGATIVE_VALUE,
						spoiled(IngestEventJson.llmCall(), e -> data(e).put("cost_usd", "-0.01"))),
				bad("negative tokens", Reason.NEGATIVE_VALUE,
						spoiled(IngestEventJson.llmCall(), e -> data(e).put("output_tokens", -1))),
				bad("negative duration", Reason.NEGATIVE_VALUE,
						spoiled(IngestEventJson.toolUse(), e -> data(e).put("duration_ms", -5))),
				bad("cost with 11 fractional digits", Reason.INVALID_VALUE,
						spoiled(IngestEventJson.llmCall(), e -> data(e).put("cost_usd", "0.00000000001"))),
				bad("cost in exponent notation", Reason.INVALID_VALUE,
						spoiled(IngestEventJson.llmCall(), e -> data(e).put("cost_usd", "1e-5"))),
				bad("run id not a UUID", Reason.INVALID_VALUE,
						spoiled(IngestEventJson.runEnded(), e -> data(e).put("run_id", "run-42"))),
				bad("unknown end status", Reason.INVALID_VALUE,
						spoiled(IngestEventJson.runEnded(), e -> data(e).put("status", "cancelled"))),
				bad("empty workflow name", Reason.INVALID_VALUE,
						spoiled(IngestEventJson.runStarted(), e -> data(e).put("workflow_name", ""))),
				bad("workflow name of 201 characters", Reason.INVALID_VALUE,
						spoiled(IngestEventJson.runStarted(), e -> data(e).put("workflow_name", "w".repeat(201)))),
				bad("timestamp without offset", Reason.TIMESTAMP_WITHOUT_OFFSET,
						spoiled(IngestEventJson.runStarted(), e -> data(e).put("started_at", "2026-11-28T14:00:00"))),
				bad("envelope timestamp without offset", Reason.TIMESTAMP_WITHOUT_OFFSET,
						spoiled(IngestEventJson.runEnded(), e -> e.put("occurred_at", "2026-11-28T14:00:00.123"))),
				bad("not a timestamp", Reason.INVALID_TIMESTAMP,
						spoiled(IngestEventJson.runEnded(), e -> data(e).put("ended_at", "yesterday"))),
				bad("timestamp over 24 hours ahead", Reason.TIMESTAMP_IN_FUTURE, spoiled(IngestEventJson.runEnded(),
						e -> data(e).put("ended_at", NOW.plusSeconds(24 * 3600 + 1).toString()))));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRecords")
	void rejectsBadRecordsWithASpecificReason(String description, Reason reason, Supplier<byte[]> record) {
		DecodeResult result = this.decoder.decode(record.get());
		assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
		Rejection rejection = ((DecodeResult.Rejected) result).rejection();
		assertThat(rejection.reason()).as(rejection.describe()).isEqualTo(reason);
		assertThat(rejection.describe()).startsWith(reason.code() + ": ");
	}

	@Test
	void rejectionNamesTheField() {
		ObjectNode event = IngestEventJson.llmCall();
		data(event).put("cost_usd", "-3");
		DecodeResult.Rejected rejected = (DecodeResult.Rejected) this.decoder.decode(bytes(event));
		assertThat(rejected.rejection().detail()).contains("data.cost_usd");
	}

	private IngestEvent accepted(ObjectNode event) {
		DecodeResult result = this.decoder.decode(bytes(event));
		assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
		return ((DecodeResult.Accepted) result).event();
	}

	private static Arguments bad(String description, Reason reason, Supplier<byte[]> record) {
		return Arguments.of(description, reason, record);
	}

	private static Supplier<byte[]> raw(String text) {
		return () -> text.getBytes(StandardCharsets.UTF_8);
	}

	private static Supplier<byte[]> spoiled(ObjectNode event, Consumer<ObjectNode> spoil) {
		return () -> {
			spoil.accept(event);
			return bytes(event);
		};
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = new byte[a.length + b.length];
		System.arraycopy(a, 0, all, 0, a.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
