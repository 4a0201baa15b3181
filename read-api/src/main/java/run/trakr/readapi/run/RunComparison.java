package run.trakr.readapi.run;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** GET /api/runs/compare: two runs of one workflow side by side, and b − a. */
record RunComparison(Side runA, Side runB, Diff diff) {

	record Side(@JsonUnwrapped RunSummary summary, List<ModelUse> models, List<ToolUse> tools) {
	}

	record ModelUse(String model, long callCount, long totalTokens, String costUsd) {
	}

	record ToolUse(String toolName, long callCount, long errorCount, long totalDurationMs) {
	}

	/** {@code duration_ms} is null while either run is still running. */
	record Diff(String costUsd, long totalTokens, Long durationMs, long llmCallCount, long toolUseCount) {
	}

}
