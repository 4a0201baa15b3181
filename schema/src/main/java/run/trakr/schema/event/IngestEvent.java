package run.trakr.schema.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One event of the ingest contract ({@code shared/spec/ingest-events.md}), decoded and
 * validated. Every id is scoped by {@link Envelope#orgId()}.
 */
public sealed interface IngestEvent {

	Envelope envelope();

	/** An event about one run: its start, end, LLM calls and tool uses. */
	sealed interface RunEvent extends IngestEvent permits RunStarted, LlmCallRecorded, ToolUsed, RunEnded {

		UUID runId();

	}

	/** The fields every event carries. */
	record Envelope(UUID eventId, UUID orgId, Instant occurredAt) {
	}

	/** Outcome of an LLM call or a tool use. */
	enum CallStatus {

		SUCCESS, ERROR

	}

	/** How a run ended. */
	enum EndStatus {

		SUCCESS, ERROR, LOOP_DETECTED, TIMEOUT

	}

	/** {@code run_started}: makes the run visible. */
	record RunStarted(Envelope envelope, UUID runId, String workflowName, Instant startedAt,
			Optional<String> runIdExternal, Optional<UUID> parentRunId) implements RunEvent {
	}

	/** {@code llm_call}. */
	record LlmCallRecorded(Envelope envelope, UUID runId, UUID callId, String model, Optional<String> provider,
			long inputTokens, long outputTokens, BigDecimal costUsd, long latencyMs, Instant startedAt,
			CallStatus status) implements RunEvent {
	}

	/** {@code tool_use}. */
	record ToolUsed(Envelope envelope, UUID runId, UUID toolEventId, String toolName, CallStatus status,
			long durationMs, Instant startedAt) implements RunEvent {
	}

	/** {@code run_ended}. */
	record RunEnded(Envelope envelope, UUID runId, EndStatus status, Instant endedAt) implements RunEvent {
	}

	/** {@code alert_fired}. */
	record AlertFired(Envelope envelope, UUID alertEventId, String alertRuleId, String alertRuleName,
			Optional<UUID> runId, Optional<String> workflowName, BigDecimal triggeredValue, BigDecimal thresholdValue,
			boolean notificationSent, Instant firedAt) implements IngestEvent {
	}

	/** {@code alert_resolved}. */
	record AlertResolved(Envelope envelope, UUID alertEventId, Instant resolvedAt) implements IngestEvent {
	}

}
