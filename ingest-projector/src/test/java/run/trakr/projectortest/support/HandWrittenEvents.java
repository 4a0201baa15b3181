package run.trakr.projectortest.support;

import java.util.UUID;

import run.trakr.schematest.support.IngestPopulation.Record;

/**
 * Single ingest events written out as JSON, for tests that need one exact record (a bad
 * field, a duplicate) rather than a generated population.
 */
public final class HandWrittenEvents {

	private HandWrittenEvents() {
	}

	/** An event of the run, keyed by it; {@code data} is the rest of its fields. */
	public static Record ofRun(UUID org, UUID run, String type, String data) {
		return new Record(run.toString(), envelope(org, type, "\"run_id\":\"" + run + "\"," + data));
	}

	/** The run's {@code run_started}, at 2026-11-28T10:00:00Z. */
	public static Record runStarted(UUID org, UUID run, String workflow) {
		return ofRun(org, run, "run_started",
				"\"workflow_name\":\"" + workflow + "\",\"started_at\":\"2026-11-28T10:00:00Z\"");
	}

	/** The envelope around {@code data}, with a fresh event id. */
	public static String envelope(UUID org, String type, String data) {
		return "{\"event_id\":\"" + UUID.randomUUID() + "\",\"type\":\"" + type + "\",\"org_id\":\"" + org
				+ "\",\"occurred_at\":\"2026-11-28T10:00:00Z\",\"data\":{" + data + "}}";
	}

	/** The fields of an {@code llm_call} after the run id. */
	public static String llmCall(UUID callId, String cost) {
		return "\"call_id\":\"" + callId + "\",\"model\":\"m\",\"input_tokens\":1,\"output_tokens\":2,"
				+ "\"cost_usd\":\"" + cost + "\",\"latency_ms\":5,\"started_at\":\"2026-11-28T10:00:01Z\"";
	}

}
