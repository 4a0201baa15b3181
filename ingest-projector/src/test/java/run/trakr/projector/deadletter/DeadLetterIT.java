package run.trakr.projector.deadletter;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.schematest.support.IngestPopulation.Record;
import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.schema.jooq.tables.records.RunsRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.projectortest.support.HandWrittenEvents.envelope;
import static run.trakr.projectortest.support.HandWrittenEvents.llmCall;
import static run.trakr.projectortest.support.HandWrittenEvents.ofRun;
import static run.trakr.projectortest.support.HandWrittenEvents.runStarted;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.DEAD_LETTERS;
import static run.trakr.schema.jooq.Tables.RUNS;

@ExtendWith(LocalStackExtension.class)
class DeadLetterIT {

	@Test
	void eachBadRecordLandsInTheDeadLetterTopicWithItsReasonAndTheGoodOnesAroundItAreApplied(LocalStack stack) {
		UUID org = UUID.randomUUID();
		UUID run = UUID.randomUUID();
		String tooFar = Instant.now().plus(Duration.ofDays(3)).toString();
		List<Record> records = List.of(runStarted(org, run, "triage"), new Record(run.toString(), "{not json"),
				new Record(run.toString(), envelope(org, "run_paused", "\"run_id\":\"" + run + "\"")),
				llmCall(org, run, UUID.randomUUID(), "-0.5"), llmCall(org, run, UUID.randomUUID(), "0.25"),
				ofRun(org, run, "run_ended", "\"status\":\"success\",\"ended_at\":\"" + tooFar + "\""),
				ofRun(org, run, "run_ended", "\"ended_at\":\"2026-11-28T10:01:00Z\""),
				ofRun(org, run, "tool_use", "\"tool_event_id\":\"" + UUID.randomUUID()
						+ "\",\"tool_name\":\"search\",\"status\":\"success\",\"duration_ms\":\"12\",\"started_at\":\"2026-11-28T10:00:01Z\""),
				ofRun(org, run, "run_ended", "\"status\":\"error\",\"ended_at\":\"2026-11-28T10:01:00\""),
				ofRun(org, run, "run_ended", "\"status\":\"timeout\",\"ended_at\":\"2026-11-28T10:02:00Z\""));
		String topic = ProjectorInstance.newTopic(stack, 1);
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, stack.createDatabase())) {
			Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic, records);
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(ends));

			RunsRecord row = projector.db().selectFrom(RUNS).fetchSingle();
			assertThat(row.getWorkflowName()).isEqualTo("triage");
			assertThat(row.getCostUsd()).isEqualByComparingTo("0.25");
			assertThat(row.getLlmCallCount()).isEqualTo(1);
			assertThat(row.getToolUseCount()).isZero();
			assertThat(row.getStatus()).isEqualTo("timeout");
			assertThat(row.getDurationMs()).isEqualTo(120_000L);

			List<String> reasons = projector.deadLetterReasons(stack, 7);
			assertThat(reasons).hasSize(7);
			assertThat(reasons).anySatisfy(r -> assertThat(r).startsWith("invalid_json"))
				.anySatisfy(r -> assertThat(r).startsWith("unknown_type"))
				.anySatisfy(r -> assertThat(r).startsWith("negative_value: data.cost_usd"))
				.anySatisfy(r -> assertThat(r).startsWith("timestamp_in_future: data.ended_at"))
				.anySatisfy(r -> assertThat(r).startsWith("missing_field: data.status"))
				.anySatisfy(r -> assertThat(r).startsWith("wrong_type: data.duration_ms"))
				.anySatisfy(r -> assertThat(r).startsWith("timestamp_without_offset: data.ended_at"));
			await().atMost(Duration.ofSeconds(15)).until(() -> projector.db().fetchCount(DEAD_LETTERS) == 0);
		}
	}

}
