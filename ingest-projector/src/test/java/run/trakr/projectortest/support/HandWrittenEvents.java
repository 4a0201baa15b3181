package run.trakr.projectortest.support;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEvent;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.event.IngestEventEncoder;
import run.trakr.schematest.support.IngestPopulation.Record;

/**
 * Single ingest records for tests that need one exact record (a duplicate, a bad field)
 * rather than a generated population. Valid events are written by the contract's encoder;
 * a record the contract forbids is spelled out by hand with {@link #ofRun}.
 */
public final class HandWrittenEvents {

	private static final Instant AT = Instant.parse("2026-11-28T10:00:00Z");

	private HandWrittenEvents() {
	}

	/** A valid event of a run, keyed by the run as SDKs key them. */
	public static Record of(RunEvent event) {
		return new Record(IngestEventEncoder.key(event), IngestEventEncoder.toJson(event));
	}

	/** The run's {@code run_started}, at 2026-11-28T10:00:00Z. */
	public static Record runStarted(UUID org, UUID run, String workflow) {
		return of(new RunStarted(envelope(org), run, workflow, AT, Optional.empty(), Optional.empty()));
	}

	/**
	 * An {@code llm_call} of the run at 10:00:01 (the cost may be one the contract
	 * forbids).
	 */
	public static Record llmCall(UUID org, UUID run, UUID callId, String cost) {
		return of(new LlmCallRecorded(envelope(org), run, callId, "m", Optional.empty(), 1, 2, new BigDecimal(cost), 5,
				AT.plusSeconds(1), CallStatus.SUCCESS));
	}

	/** A {@code tool_use} of the run at 10:00:02. */
	public static Record toolUse(UUID org, UUID run, UUID toolEventId, String name, CallStatus status,
			long durationMs) {
		return of(new ToolUsed(envelope(org), run, toolEventId, name, status, durationMs, AT.plusSeconds(2)));
	}

	/**
	 * A record of the run written by hand, for one the encoder cannot write; {@code data}
	 * is the JSON of its fields after the run id.
	 */
	public static Record ofRun(UUID org, UUID run, String type, String data) {
		return new Record(run.toString(), envelope(org, type, "\"run_id\":\"" + run + "\"," + data));
	}

	/** The envelope around hand-written {@code data}, with a fresh event id. */
	public static String envelope(UUID org, String type, String data) {
		return "{\"event_id\":\"" + UUID.randomUUID() + "\",\"type\":\"" + type + "\",\"org_id\":\"" + org
				+ "\",\"occurred_at\":\"2026-11-28T10:00:00Z\",\"data\":{" + data + "}}";
	}

	private static IngestEvent.Envelope envelope(UUID org) {
		return new Envelope(UUID.randomUUID(), org, AT);
	}

}
