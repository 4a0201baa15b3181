package run.trakr.projector.run;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import run.trakr.schema.RunStatus;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.event.IngestEvent.EndStatus;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;

import static org.assertj.core.api.Assertions.assertThat;

/** The fold of a batch's run events, without a database. */
class RunFoldTest {

	private static final UUID ORG = UUID.randomUUID();

	private static final UUID RUN = UUID.randomUUID();

	private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");

	private final RunStarted started = new RunStarted(envelope(), RUN, "triage", START, Optional.empty(),
			Optional.empty());

	private final LlmCallRecorded call = new LlmCallRecorded(envelope(), RUN, UUID.randomUUID(), "gpt",
			Optional.empty(), 10, 20, new BigDecimal("0.25"), 300, START.plusSeconds(1), CallStatus.SUCCESS);

	private final ToolUsed tool = new ToolUsed(envelope(), RUN, UUID.randomUUID(), "search", CallStatus.ERROR, 40,
			START.plusSeconds(2));

	private final RunEnded ended = new RunEnded(envelope(), RUN, EndStatus.TIMEOUT, START.plusSeconds(5));

	@Test
	void everyOrderOfTheEventsEndsInTheSameState() {
		RunState expected = after(List.of(this.started, this.call, this.tool, this.ended));
		assertThat(expected.status()).isEqualTo(RunStatus.TIMEOUT);
		assertThat(expected.llmCallCount()).isEqualTo(1);
		assertThat(expected.toolUseCount()).isEqualTo(1);
		assertThat(expected.costUsd()).isEqualByComparingTo("0.25");
		assertThat(expected.durationMs()).isEqualTo(5000);
		List<IngestEvent> events = new ArrayList<>(List.of(this.started, this.call, this.tool, this.ended));
		for (int i = 0; i < 12; i++) {
			Collections.rotate(events, 1);
			if (i % 3 == 0) {
				Collections.swap(events, 0, 2);
			}
			assertThat(after(events)).as(events.toString()).isEqualTo(expected);
		}
	}

	@Test
	void aCallOrToolUseCountsOnlyWhenThisBatchInsertedIt() {
		Map<RunKey, RunState> stored = new LinkedHashMap<>();
		stored.put(new RunKey(ORG, RUN), RunState.empty(ORG, RUN).withStart("triage", START, null, null));
		RunFold.Result result = RunFold.fold(List.of(this.call, this.tool), stored, Set.of(), Set.of(),
				partitions(List.of(this.call, this.tool)));
		assertThat(result.changes()).as("both were stored before: the run does not change").isEmpty();
	}

	@Test
	void aSecondStartOrEndWithOtherContentIsAConflictAndTheFirstWins() {
		RunStarted otherStart = new RunStarted(envelope(), RUN, "other", START, Optional.empty(), Optional.empty());
		RunEnded otherEnd = new RunEnded(envelope(), RUN, EndStatus.SUCCESS, START.plusSeconds(5));
		List<IngestEvent> events = List.of(this.started, otherStart, this.ended, otherEnd, this.started);
		RunFold.Result result = RunFold.fold(events, before(), Set.of(), Set.of(), partitions(events));
		assertThat(result.conflicts()).isEqualTo(2);
		RunState after = result.changes().get(0).after();
		assertThat(after.workflowName()).isEqualTo("triage");
		assertThat(after.status()).isEqualTo(RunStatus.TIMEOUT);
	}

	@Test
	void aRunTakesTheShardOfItsFirstEventsPartition() {
		List<IngestEvent> events = List.of(this.call, this.started);
		Map<IngestEvent, Integer> partitions = new IdentityHashMap<>();
		partitions.put(this.call, 3);
		partitions.put(this.started, 5);
		RunFold.Result result = RunFold.fold(events, before(), Set.of(callKey()), Set.of(), partitions);
		assertThat(result.changes()).singleElement().satisfies((change) -> {
			assertThat(change.shard()).isEqualTo(3);
			assertThat(change.before()).isNull();
			assertThat(change.after().started()).isTrue();
		});
	}

	private RunState after(List<IngestEvent> events) {
		RunFold.Result result = RunFold.fold(events, before(), Set.of(callKey()),
				Set.of(new CallKey(ORG, this.tool.toolEventId())), partitions(events));
		assertThat(result.conflicts()).isZero();
		return result.changes().get(0).after();
	}

	private CallKey callKey() {
		return new CallKey(ORG, this.call.callId());
	}

	/** The run as not stored yet. */
	private static Map<RunKey, RunState> before() {
		Map<RunKey, RunState> before = new LinkedHashMap<>();
		before.put(new RunKey(ORG, RUN), null);
		return before;
	}

	private static Map<IngestEvent, Integer> partitions(List<IngestEvent> events) {
		Map<IngestEvent, Integer> partitions = new IdentityHashMap<>();
		events.forEach((event) -> partitions.put(event, 0));
		return partitions;
	}

	private static Envelope envelope() {
		return new Envelope(UUID.randomUUID(), ORG, START);
	}

}
