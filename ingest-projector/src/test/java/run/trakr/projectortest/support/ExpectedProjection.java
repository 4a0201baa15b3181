package run.trakr.projectortest.support;

import java.util.List;
import java.util.Map;

import org.jooq.DSLContext;

import run.trakr.projector.rollup.RollupCheck;
import run.trakr.schema.jooq.tables.records.RunsRecord;
import run.trakr.schematest.support.IngestPopulation;
import run.trakr.schematest.support.IngestPopulation.ExpectedRun;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.LLM_CALLS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;

/** What a database must hold once a whole generated population has been projected. */
public final class ExpectedProjection {

	private ExpectedProjection() {
	}

	/**
	 * Every generated run once, with every field, every LLM call and tool use once, and
	 * rollups that a rebuild from the rows would reproduce exactly.
	 */
	public static void assertProjected(DSLContext db, IngestPopulation population) {
		assertRunsMatch(db, population);
		assertThat(RollupCheck.verify(db)).isEmpty();
	}

	/**
	 * Every generated run once, each field as computed from the generated events, and
	 * every LLM call and tool use once.
	 */
	public static void assertRunsMatch(DSLContext db, IngestPopulation population) {
		Map<String, ExpectedRun> expected = population.expectedRuns();
		List<RunsRecord> rows = db.selectFrom(RUNS).fetch();
		assertThat(rows).hasSize(expected.size());
		for (RunsRecord row : rows) {
			ExpectedRun run = expected.get(row.getOrgId() + "/" + row.getRunId());
			assertThat(run).as("unexpected run %s", row.getRunId()).isNotNull();
			assertThat(row.getWorkflowName()).isEqualTo(run.workflowName());
			assertThat(row.getStartedAt().toInstant()).isEqualTo(run.startedAt());
			assertThat(row.getParentRunId()).isEqualTo(run.parentRunId());
			assertThat(row.getStatus()).isEqualTo(run.status());
			assertThat(row.getEndedAt() == null ? null : row.getEndedAt().toInstant()).isEqualTo(run.endedAt());
			assertThat(row.getDurationMs()).isEqualTo(run.durationMs());
			assertThat(row.getCostUsd()).isEqualByComparingTo(run.costUsd());
			assertThat(row.getInputTokens()).isEqualTo(run.inputTokens());
			assertThat(row.getOutputTokens()).isEqualTo(run.outputTokens());
			assertThat(row.getTotalTokens()).isEqualTo(run.inputTokens() + run.outputTokens());
			assertThat(row.getLlmCallCount()).isEqualTo(run.llmCallCount());
			assertThat(row.getToolUseCount()).isEqualTo(run.toolUseCount());
		}
		// Each run's key names the run's parent (run detail finds children by the keys).
		assertThat(db.fetch("""
				SELECT r.run_id FROM runs r JOIN run_keys k USING (org_id, run_id, expires_on)
				WHERE k.parent_run_id IS NOT DISTINCT FROM r.parent_run_id""")).hasSize(expected.size());
		assertThat(db.fetchCount(LLM_CALLS))
			.isEqualTo(expected.values().stream().mapToInt(ExpectedRun::llmCallCount).sum());
		assertThat(db.fetchCount(TOOL_USES))
			.isEqualTo(expected.values().stream().mapToInt(ExpectedRun::toolUseCount).sum());
	}

}
