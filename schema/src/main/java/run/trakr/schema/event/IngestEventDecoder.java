package run.trakr.schema.event;

import java.time.Clock;
import java.util.function.BiFunction;

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
			return new DecodeResult.Accepted(decode(new RecordFields(root, "", this.clock.instant())));
		}
		catch (RecordFields.InvalidField ex) {
			return new DecodeResult.Rejected(ex.rejection);
		}
	}

	private IngestEvent decode(RecordFields record) {
		String type = record.string("type");
		BiFunction<Envelope, RecordFields, IngestEvent> decoder = switch (type) {
			case "run_started" -> IngestEventDecoder::runStarted;
			case "llm_call" -> IngestEventDecoder::llmCall;
			case "tool_use" -> IngestEventDecoder::toolUse;
			case "run_ended" -> IngestEventDecoder::runEnded;
			case "alert_fired" -> IngestEventDecoder::alertFired;
			case "alert_resolved" -> IngestEventDecoder::alertResolved;
			default ->
				throw new RecordFields.InvalidField(Reason.UNKNOWN_TYPE, "type '" + type + "' is not in the contract");
		};
		Envelope envelope = new Envelope(record.uuid("event_id"), record.uuid("org_id"),
				record.timestamp("occurred_at"));
		RecordFields data = record.object("data");
		return decoder.apply(envelope, data);
	}

	private static IngestEvent runStarted(Envelope envelope, RecordFields data) {
		return new RunStarted(envelope, data.uuid("run_id"), data.string("workflow_name", 1, 200),
				data.timestamp("started_at"), data.optionalString("run_id_external", 0, 200),
				data.optionalUuid("parent_run_id"));
	}

	private static IngestEvent llmCall(Envelope envelope, RecordFields data) {
		return new LlmCallRecorded(envelope, data.uuid("run_id"), data.uuid("call_id"), data.string("model"),
				data.optionalString("provider", 0, Integer.MAX_VALUE), data.count("input_tokens"),
				data.count("output_tokens"), data.money("cost_usd"), data.count("latency_ms"),
				data.timestamp("started_at"), data.optionalEnum("status", CallStatus.class).orElse(CallStatus.SUCCESS));
	}

	private static IngestEvent toolUse(Envelope envelope, RecordFields data) {
		return new ToolUsed(envelope, data.uuid("run_id"), data.uuid("tool_event_id"), data.string("tool_name", 1, 200),
				data.requiredEnum("status", CallStatus.class), data.count("duration_ms"), data.timestamp("started_at"));
	}

	private static IngestEvent runEnded(Envelope envelope, RecordFields data) {
		return new RunEnded(envelope, data.uuid("run_id"), data.requiredEnum("status", EndStatus.class),
				data.timestamp("ended_at"));
	}

	private static IngestEvent alertFired(Envelope envelope, RecordFields data) {
		return new AlertFired(envelope, data.uuid("alert_event_id"), data.string("alert_rule_id"),
				data.string("alert_rule_name"), data.optionalUuid("run_id"),
				data.optionalString("workflow_name", 1, 200), data.number("triggered_value"),
				data.number("threshold_value"), data.bool("notification_sent"), data.timestamp("fired_at"));
	}

	private static IngestEvent alertResolved(Envelope envelope, RecordFields data) {
		return new AlertResolved(envelope, data.uuid("alert_event_id"), data.timestamp("resolved_at"));
	}

	private static DecodeResult rejected(Reason reason, String detail) {
		return new DecodeResult.Rejected(new Rejection(reason, detail));
	}

}
