package run.trakr.readapi.run;

import org.jooq.Record;

import run.trakr.readapi.query.Formats;

import static run.trakr.schema.jooq.Tables.RUNS;

/** The public {@code AgentRunSummary}. */
record RunSummary(String id, String workflowName, String runIdExternal, String status, String costUsd, long totalTokens,
		Long durationMs, int llmCallCount, int toolUseCount, String startedAt, String endedAt) {

	static final org.jooq.SelectField<?>[] COLUMNS = { RUNS.RUN_ID, RUNS.WORKFLOW_NAME, RUNS.RUN_ID_EXTERNAL,
			RUNS.STATUS, RUNS.COST_USD, RUNS.TOTAL_TOKENS, RUNS.DURATION_MS, RUNS.LLM_CALL_COUNT, RUNS.TOOL_USE_COUNT,
			RUNS.STARTED_AT, RUNS.ENDED_AT };

	static RunSummary of(Record row) {
		return new RunSummary(row.get(RUNS.RUN_ID).toString(), row.get(RUNS.WORKFLOW_NAME),
				row.get(RUNS.RUN_ID_EXTERNAL), row.get(RUNS.STATUS), Formats.money(row.get(RUNS.COST_USD)),
				row.get(RUNS.TOTAL_TOKENS), row.get(RUNS.DURATION_MS), row.get(RUNS.LLM_CALL_COUNT),
				row.get(RUNS.TOOL_USE_COUNT), Formats.timestamp(row.get(RUNS.STARTED_AT)),
				Formats.timestamp(row.get(RUNS.ENDED_AT)));
	}

}
