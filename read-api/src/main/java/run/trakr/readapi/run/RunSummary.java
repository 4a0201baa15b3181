package run.trakr.readapi.run;

import java.util.Arrays;
import java.util.List;

import org.jooq.Record;

import run.trakr.readapi.query.Formats;

import static run.trakr.schema.jooq.Tables.RUNS;

/** The public {@code AgentRunSummary}. */
record RunSummary(String id, String workflowName, String runIdExternal, String status, String costUsd, long totalTokens,
		Long durationMs, int llmCallCount, int toolUseCount, String startedAt, String endedAt) {

	static final org.jooq.SelectField<?>[] COLUMNS = { RUNS.RUN_ID, RUNS.WORKFLOW_NAME, RUNS.RUN_ID_EXTERNAL,
			RUNS.STATUS, RUNS.COST_USD, RUNS.TOTAL_TOKENS, RUNS.DURATION_MS, RUNS.LLM_CALL_COUNT, RUNS.TOOL_USE_COUNT,
			RUNS.STARTED_AT, RUNS.ENDED_AT };

	/** The CSV header: the JSON field names, in order. */
	static final String[] CSV_HEADER = { "id", "workflow_name", "run_id_external", "status", "cost_usd", "total_tokens",
			"duration_ms", "llm_call_count", "tool_use_count", "started_at", "ended_at" };

	/**
	 * The fields of a CSV line, in {@link #CSV_HEADER}'s order, null for an empty one.
	 */
	List<String> csvFields() {
		return Arrays.asList(this.id, this.workflowName, this.runIdExternal, this.status, this.costUsd,
				Long.toString(this.totalTokens), (this.durationMs != null) ? this.durationMs.toString() : null,
				Integer.toString(this.llmCallCount), Integer.toString(this.toolUseCount), this.startedAt, this.endedAt);
	}

	static RunSummary of(Record row) {
		return new RunSummary(row.get(RUNS.RUN_ID).toString(), row.get(RUNS.WORKFLOW_NAME),
				row.get(RUNS.RUN_ID_EXTERNAL), row.get(RUNS.STATUS), Formats.money(row.get(RUNS.COST_USD)),
				row.get(RUNS.TOTAL_TOKENS), row.get(RUNS.DURATION_MS), row.get(RUNS.LLM_CALL_COUNT),
				row.get(RUNS.TOOL_USE_COUNT), Formats.timestamp(row.get(RUNS.STARTED_AT)),
				Formats.timestamp(row.get(RUNS.ENDED_AT)));
	}

}
