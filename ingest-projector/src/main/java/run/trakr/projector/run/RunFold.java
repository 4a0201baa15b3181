package run.trakr.projector.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import run.trakr.schema.RunStatus;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunEvent;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;

/**
 * The run events of one batch folded into run states, without a database: the first start
 * and the first end of a run win, and a call or tool use counts towards its run exactly
 * when its row was inserted by this batch, so any delivery order ends in the same states.
 * What the batch saw differently from what came first is counted as a conflict.
 */
final class RunFold {

	/**
	 * The runs that changed, before and after, and how many events conflicted with what
	 * came first.
	 */
	record Result(List<RunChange> changes, int conflicts) {
	}

	private int conflicts;

	private RunFold() {
	}

	/**
	 * Folds {@code events} into {@code before} (null for a run not stored yet);
	 * {@code newCalls} and {@code newTools} are the calls and tool uses this batch
	 * inserted, and {@code partitionOf} tells each event's partition (a run's shard).
	 */
	static Result fold(List<IngestEvent> events, Map<RunKey, RunState> before, Set<CallKey> newCalls,
			Set<CallKey> newTools, Map<IngestEvent, Integer> partitionOf) {
		RunFold fold = new RunFold();
		Set<CallKey> callsToCount = new HashSet<>(newCalls);
		Set<CallKey> toolsToCount = new HashSet<>(newTools);
		Map<RunKey, RunState> after = new LinkedHashMap<>();
		before.forEach(
				(key, state) -> after.put(key, (state != null) ? state : RunState.empty(key.orgId(), key.runId())));
		Map<RunKey, Integer> shards = new HashMap<>();
		for (IngestEvent event : events) {
			if (!(event instanceof RunEvent runEvent)) {
				continue;
			}
			RunKey key = RunKey.of(runEvent);
			shards.putIfAbsent(key, partitionOf.get(event));
			if (runEvent instanceof RunStarted started) {
				after.computeIfPresent(key, (k, state) -> fold.start(state, started));
			}
			else if (runEvent instanceof RunEnded ended) {
				after.computeIfPresent(key, (k, state) -> fold.end(state, ended));
			}
			else if (runEvent instanceof LlmCallRecorded call
					&& callsToCount.remove(new CallKey(call.envelope().orgId(), call.callId()))) {
				after.computeIfPresent(key,
						(k, state) -> state.plusCall(call.costUsd(), call.inputTokens(), call.outputTokens()));
			}
			else if (runEvent instanceof ToolUsed tool
					&& toolsToCount.remove(new CallKey(tool.envelope().orgId(), tool.toolEventId()))) {
				after.computeIfPresent(key, (k, state) -> state.plusToolUse());
			}
		}
		List<RunChange> changes = new ArrayList<>();
		after.forEach((key, state) -> {
			if (!state.equals(before.get(key))) {
				changes.add(new RunChange(before.get(key), state, shards.getOrDefault(key, 0)));
			}
		});
		return new Result(changes, fold.conflicts);
	}

	private RunState start(RunState state, RunStarted started) {
		if (!state.started()) {
			return state.withStart(started.workflowName(), started.startedAt(), started.runIdExternal().orElse(null),
					started.parentRunId().orElse(null));
		}
		countIfConflicting(
				state.workflowName().equals(started.workflowName()) && state.startedAt().equals(started.startedAt())
						&& Objects.equals(state.runIdExternal(), started.runIdExternal().orElse(null))
						&& Objects.equals(state.parentRunId(), started.parentRunId().orElse(null)));
		return state;
	}

	private RunState end(RunState state, RunEnded ended) {
		RunStatus status = RunStatus.of(ended.status());
		if (!state.ended()) {
			return state.withEnd(status, ended.endedAt());
		}
		countIfConflicting(state.status() == status && state.endedAt().equals(ended.endedAt()));
		return state;
	}

	private void countIfConflicting(boolean sameContent) {
		if (!sameContent) {
			this.conflicts++;
		}
	}

}
