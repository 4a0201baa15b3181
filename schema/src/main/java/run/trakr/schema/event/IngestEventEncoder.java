package run.trakr.schema.event;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import run.trakr.schema.event.IngestEvent.AlertFired;
import run.trakr.schema.event.IngestEvent.AlertResolved;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunEvent;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;

/**
 * Writes an {@link IngestEvent} as the JSON record an SDK publishes: the inverse of
 * {@link IngestEventDecoder}, which {@code IngestEventEncoderTest} checks. The demo's
 * simulator and every test that publishes events write them here, so the contract's field
 * names live in two places only, the decoder and this class.
 */
public final class IngestEventEncoder {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private IngestEventEncoder() {
	}

	/** The record value. */
	public static String toJson(IngestEvent event) {
		return JSON.writeValueAsString(toTree(event));
	}

	/** The record as a tree, for a test that spoils a field before writing it. */
	public static ObjectNode toTree(IngestEvent event) {
		ObjectNode record = JSON.createObjectNode()
			.put("event_id", event.envelope().eventId().toString())
			.put("type", type(event))
			.put("org_id", event.envelope().orgId().toString())
			.put("occurred_at", text(event.envelope().occurredAt()));
		ObjectNode data = record.putObject("data");
		if (event instanceof RunStarted started) {
			data.put("run_id", started.runId().toString())
				.put("workflow_name", started.workflowName())
				.put("started_at", text(started.startedAt()));
			putIfPresent(data, "run_id_external", started.runIdExternal());
			putIfPresent(data, "parent_run_id", started.parentRunId());
		}
		else if (event instanceof LlmCallRecorded call) {
			data.put("run_id", call.runId().toString())
				.put("call_id", call.callId().toString())
				.put("model", call.model());
			putIfPresent(data, "provider", call.provider());
			data.put("input_tokens", call.inputTokens())
				.put("output_tokens", call.outputTokens())
				.put("cost_usd", call.costUsd().toPlainString())
				.put("latency_ms", call.latencyMs())
				.put("started_at", text(call.startedAt()))
				.put("status", lower(call.status()));
		}
		else if (event instanceof ToolUsed use) {
			data.put("run_id", use.runId().toString())
				.put("tool_event_id", use.toolEventId().toString())
				.put("tool_name", use.toolName())
				.put("status", lower(use.status()))
				.put("duration_ms", use.durationMs())
				.put("started_at", text(use.startedAt()));
		}
		else if (event instanceof RunEnded ended) {
			data.put("run_id", ended.runId().toString())
				.put("status", lower(ended.status()))
				.put("ended_at", text(ended.endedAt()));
		}
		else if (event instanceof AlertFired fired) {
			data.put("alert_event_id", fired.alertEventId().toString())
				.put("alert_rule_id", fired.alertRuleId())
				.put("alert_rule_name", fired.alertRuleName());
			putIfPresent(data, "run_id", fired.runId());
			putIfPresent(data, "workflow_name", fired.workflowName());
			data.put("triggered_value", fired.triggeredValue())
				.put("threshold_value", fired.thresholdValue())
				.put("notification_sent", fired.notificationSent())
				.put("fired_at", text(fired.firedAt()));
		}
		else if (event instanceof AlertResolved resolved) {
			data.put("alert_event_id", resolved.alertEventId().toString())
				.put("resolved_at", text(resolved.resolvedAt()));
		}
		return record;
	}

	/**
	 * The Kafka key SDKs publish the event under: the run's id for a run's events, so
	 * they share a partition, and the alert's id for an alert's.
	 */
	public static String key(IngestEvent event) {
		if (event instanceof RunEvent runEvent) {
			return runEvent.runId().toString();
		}
		return (event instanceof AlertFired fired) ? fired.alertEventId().toString()
				: ((AlertResolved) event).alertEventId().toString();
	}

	/** The contract's name of the event's type. */
	public static String type(IngestEvent event) {
		if (event instanceof RunStarted) {
			return "run_started";
		}
		if (event instanceof LlmCallRecorded) {
			return "llm_call";
		}
		if (event instanceof ToolUsed) {
			return "tool_use";
		}
		if (event instanceof RunEnded) {
			return "run_ended";
		}
		return (event instanceof AlertFired) ? "alert_fired" : "alert_resolved";
	}

	/** ISO 8601 in UTC with every digit the instant has, as SDK clocks write them. */
	private static String text(Instant instant) {
		return instant.toString();
	}

	private static String lower(Enum<?> status) {
		return status.name().toLowerCase(Locale.ROOT);
	}

	private static void putIfPresent(ObjectNode data, String name, Optional<?> value) {
		value.ifPresent(present -> data.put(name, present.toString()));
	}

}
