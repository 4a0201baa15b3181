package run.trakr.projector.run;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

import run.trakr.schema.RunStatus;
import run.trakr.schema.jooq.tables.records.RunsRecord;

/**
 * One run as its row holds it. A pure value: the projection folds events into a new state
 * and keeps the old one, so that rollups can move the run's contribution by the
 * difference.
 */
public record RunState(UUID orgId, UUID runId, String workflowName, Instant startedAt, String runIdExternal,
		UUID parentRunId, RunStatus status, Instant endedAt, BigDecimal costUsd, long inputTokens, long outputTokens,
		int llmCallCount, int toolUseCount) {

	static RunState empty(UUID orgId, UUID runId) {
		return new RunState(orgId, runId, null, null, null, null, RunStatus.RUNNING, null, BigDecimal.ZERO, 0, 0, 0, 0);
	}

	/** The run as its row holds it: the one mapping the projection and verify share. */
	public static RunState of(RunsRecord row) {
		return new RunState(row.getOrgId(), row.getRunId(), row.getWorkflowName(), instant(row.getStartedAt()),
				row.getRunIdExternal(), row.getParentRunId(), RunStatus.of(row.getStatus()), instant(row.getEndedAt()),
				row.getCostUsd(), row.getInputTokens(), row.getOutputTokens(), row.getLlmCallCount(),
				row.getToolUseCount());
	}

	private static Instant instant(OffsetDateTime time) {
		return (time != null) ? time.toInstant() : null;
	}

	/**
	 * Visible to the read API (and counted in rollups) once its run_started is applied.
	 */
	public boolean started() {
		return this.startedAt != null;
	}

	public boolean ended() {
		return this.endedAt != null;
	}

	public long totalTokens() {
		return this.inputTokens + this.outputTokens;
	}

	/** {@code ended_at - started_at} once both are known (never negative); else null. */
	public Long durationMs() {
		if (this.startedAt == null || this.endedAt == null) {
			return null;
		}
		return Math.max(0, Duration.between(this.startedAt, this.endedAt).toMillis());
	}

	RunState withStart(String workflowName, Instant startedAt, String runIdExternal, UUID parentRunId) {
		return new RunState(this.orgId, this.runId, workflowName, startedAt, runIdExternal, parentRunId, this.status,
				this.endedAt, this.costUsd, this.inputTokens, this.outputTokens, this.llmCallCount, this.toolUseCount);
	}

	RunState withEnd(RunStatus status, Instant endedAt) {
		return new RunState(this.orgId, this.runId, this.workflowName, this.startedAt, this.runIdExternal,
				this.parentRunId, status, endedAt, this.costUsd, this.inputTokens, this.outputTokens, this.llmCallCount,
				this.toolUseCount);
	}

	RunState plusCall(BigDecimal cost, long input, long output) {
		return new RunState(this.orgId, this.runId, this.workflowName, this.startedAt, this.runIdExternal,
				this.parentRunId, this.status, this.endedAt, this.costUsd.add(cost), this.inputTokens + input,
				this.outputTokens + output, this.llmCallCount + 1, this.toolUseCount);
	}

	RunState plusToolUse() {
		return new RunState(this.orgId, this.runId, this.workflowName, this.startedAt, this.runIdExternal,
				this.parentRunId, this.status, this.endedAt, this.costUsd, this.inputTokens, this.outputTokens,
				this.llmCallCount, this.toolUseCount + 1);
	}

}
