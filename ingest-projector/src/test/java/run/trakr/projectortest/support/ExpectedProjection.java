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

/** What a database must hold once a whole generated population has been projected. */
public final class ExpectedProjection {

	private ExpectedProjection() {
	}

	/**
	 * Every generated run once, with its cost, tokens, counts, status and duration, every
	 * LLM call once, and rollups that a rebuild from the rows would reproduce exactly.
	 */
	public static void assertProjected(DSLContext db, IngestPopulation population) {
		Map<String, ExpectedRun> expected = population.expectedRuns();
		List<RunsRecord> rows = db.selectFrom(RUNS).fetch();
		assertThat(rows).hasSize(expected.size());
		for (RunsRecord row : rows) {
			ExpectedRun run = expected.get(row.getOrgId() + "/" + row.getRunId());
			assertThat(run).as("a generated run").isNotNull();
			assertThat(row.getCostUsd()).isEqualByComparingTo(run.costUsd());
			assertThat(row.getInputTokens()).isEqualTo(run.inputTokens());
			assertThat(row.getLlmCallCount()).isEqualTo(run.llmCallCount());
			assertThat(row.getToolUseCount()).isEqualTo(run.toolUseCount());
			assertThat(row.getStatus()).isEqualTo(run.status());
			assertThat(row.getDurationMs()).isEqualTo(run.durationMs());
		}
		assertThat(db.fetchCount(LLM_CALLS))
			.isEqualTo(expected.values().stream().mapToInt(ExpectedRun::llmCallCount).sum());
		assertThat(RollupCheck.verify(db)).isEmpty();
	}

}
