package run.trakr.readapi.run;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** GET /api/runs/[runId]. */
record RunDetail(Run run, List<RunSummary> childRuns, int childRunCount, String combinedCostUsd,
		List<RunAlert> alertEvents) {

	/**
	 * Every summary field, plus the parent, the token split, and the calls and tool uses.
	 */
	record Run(@JsonUnwrapped RunSummary summary, String parentRunId, long inputTokens, long outputTokens,
			List<LlmCall> llmCalls, List<ToolEvent> toolEvents) {
	}

	record LlmCall(String id, String model, String provider, long inputTokens, long outputTokens, long totalTokens,
			String costUsd, long latencyMs, String status, String startedAt) {
	}

	record ToolEvent(String id, String toolName, String status, long durationMs, String startedAt) {
	}

	record RunAlert(String id, String alertRuleId, String alertRuleName, BigDecimal triggeredValue,
			BigDecimal thresholdValue, boolean notificationSent, String resolvedAt, String createdAt) {
	}

}
