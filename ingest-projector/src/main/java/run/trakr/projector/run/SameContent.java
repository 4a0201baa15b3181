package run.trakr.projector.run;

import java.util.Locale;
import java.util.Objects;

import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.jooq.tables.records.LlmCallsRecord;
import run.trakr.schema.jooq.tables.records.ToolUsesRecord;

/**
 * Whether a repeated call or tool use (same natural key) is an exact duplicate, which
 * changes nothing, or a conflicting one, which is counted (ingest-events.md, guarantee
 * 2).
 */
final class SameContent {

	private SameContent() {
	}

	static boolean call(LlmCallsRecord stored, LlmCallRecorded call) {
		return stored.getRunId().equals(call.runId()) && stored.getModel().equals(call.model())
				&& Objects.equals(stored.getProvider(), call.provider().orElse(null))
				&& stored.getInputTokens() == call.inputTokens() && stored.getOutputTokens() == call.outputTokens()
				&& stored.getCostUsd().compareTo(call.costUsd()) == 0 && stored.getLatencyMs() == call.latencyMs()
				&& stored.getStatus().equals(call.status().name().toLowerCase(Locale.ROOT))
				&& stored.getStartedAt().toInstant().equals(call.startedAt());
	}

	static boolean calls(LlmCallRecorded a, LlmCallRecorded b) {
		return a.runId().equals(b.runId()) && a.model().equals(b.model()) && a.provider().equals(b.provider())
				&& a.inputTokens() == b.inputTokens() && a.outputTokens() == b.outputTokens()
				&& a.costUsd().compareTo(b.costUsd()) == 0 && a.latencyMs() == b.latencyMs() && a.status() == b.status()
				&& a.startedAt().equals(b.startedAt());
	}

	static boolean toolUse(ToolUsesRecord stored, ToolUsed tool) {
		return stored.getRunId().equals(tool.runId()) && stored.getToolName().equals(tool.toolName())
				&& stored.getStatus().equals(tool.status().name().toLowerCase(Locale.ROOT))
				&& stored.getDurationMs() == tool.durationMs()
				&& stored.getStartedAt().toInstant().equals(tool.startedAt());
	}

}
