package run.trakr.projector.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schematest.support.IngestPopulation.Record;

import run.trakr.projector.rollup.RollupCheck;
import run.trakr.projectortest.support.ProjectorInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.projectortest.support.HandWrittenEvents.llmCall;
import static run.trakr.projectortest.support.HandWrittenEvents.toolUse;
import static run.trakr.projectortest.support.HandWrittenEvents.runStarted;
import static org.awaitility.Awaitility.await;
import static org.jooq.impl.DSL.sum;
import static run.trakr.schema.jooq.Tables.LLM_CALLS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.TOOL_ROLLUPS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;

/**
 * Duplicates arriving in a later batch than the original: an identical one changes
 * nothing, a conflicting one is ignored and counted, and a new tool use of a run that had
 * tools before is added to the tool rollups beside the stored ones.
 */
@ExtendWith(LocalStackExtension.class)
class DuplicatesIT {

	@Test
	void laterDuplicatesAreIgnoredConflictingOnesCountedAndNewToolUsesAddedToTheRunsOwn(LocalStack stack) {
		UUID org = UUID.randomUUID();
		UUID run = UUID.randomUUID();
		UUID call = UUID.randomUUID();
		UUID tool = UUID.randomUUID();
		List<Record> originals = List.of(runStarted(org, run, "triage"), llmCall(org, run, call, "0.10"),
				toolUse(org, run, tool, "search", CallStatus.SUCCESS, 40));
		List<Record> later = List.of(llmCall(org, run, call, "0.10"), llmCall(org, run, call, "0.90"),
				toolUse(org, run, tool, "search", CallStatus.SUCCESS, 40),
				toolUse(org, run, tool, "search", CallStatus.ERROR, 900),
				toolUse(org, run, UUID.randomUUID(), "search", CallStatus.ERROR, 60));
		String topic = ProjectorInstance.newTopic(stack, 1);
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, stack.createDatabase())) {
			Map<Integer, Long> first = ProjectorInstance.publish(stack, topic, originals);
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(first));
			Map<Integer, Long> second = ProjectorInstance.publish(stack, topic, later);
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(second));

			DSLContext db = projector.db();
			assertThat(db.select(LLM_CALLS.COST_USD).from(LLM_CALLS).fetchSingle().value1())
				.isEqualByComparingTo("0.10");
			assertThat(db.select(RUNS.COST_USD, RUNS.LLM_CALL_COUNT, RUNS.TOOL_USE_COUNT).from(RUNS).fetchSingle())
				.satisfies(row -> {
					assertThat(row.value1()).isEqualByComparingTo("0.10");
					assertThat(row.value2()).isEqualTo(1);
					assertThat(row.value3()).isEqualTo(2);
				});
			assertThat(db.fetchCount(TOOL_USES, TOOL_USES.TOOL_EVENT_ID.eq(tool).and(TOOL_USES.STATUS.eq("success"))))
				.isEqualTo(1);
			assertThat(projector.meters().get("trakr.projector.conflicting.duplicates").counter().count())
				.as("the call and the tool use that differ from their originals")
				.isEqualTo(2);
			// Each level holds both uses of the run: the stored one read back and the new
			// one.
			assertThat(db
				.select(sum(TOOL_ROLLUPS.USE_COUNT), sum(TOOL_ROLLUPS.ERROR_COUNT), sum(TOOL_ROLLUPS.DURATION_TOTAL_MS),
						sum(TOOL_ROLLUPS.RUN_COUNT))
				.from(TOOL_ROLLUPS)
				.where(TOOL_ROLLUPS.BUCKET_SECONDS.eq(3600))
				.fetchSingle()
				.intoArray()).extracting(value -> ((Number) value).longValue()).containsExactly(2L, 1L, 100L, 1L);
			assertThat(RollupCheck.verify(db)).isEmpty();
		}
	}

}
