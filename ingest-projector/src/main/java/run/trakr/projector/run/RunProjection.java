package run.trakr.projector.run;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.DSL;

import org.springframework.stereotype.Component;

import run.trakr.projector.sql.UnnestedRows;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunEvent;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.jooq.tables.records.LlmCallsRecord;
import run.trakr.schema.jooq.tables.records.ToolUsesRecord;

import static run.trakr.schema.jooq.Tables.LLM_CALLS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.RUN_KEYS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;

/**
 * Folds the run events of one batch into run rows, LLM calls and tool uses. Every event
 * has a natural key and the first one processed wins, so redelivered and duplicate events
 * change nothing and any delivery order ends in the same rows: a call counts towards its
 * run exactly when its row is first inserted, whenever that is relative to the run's
 * start and end.
 */
@Component
public class RunProjection {

	private final DSLContext db;

	private final Counter conflicts;

	RunProjection(DSLContext db, MeterRegistry meters) {
		this.db = db;
		this.conflicts = Counter.builder("trakr.projector.conflicting.duplicates")
			.description("Events ignored because an event with the same natural key but other content came first")
			.register(meters);
	}

	/**
	 * What a batch did: every run it touched, before and after, and the tool uses it
	 * added.
	 */
	public record Outcome(List<RunChange> changes, List<ToolUsed> newToolUses) {
	}

	/**
	 * Applies the batch's run events, each run in its home ({@link RunHomes}, which
	 * admitted them). {@code partitionOf} tells which partition each event came from.
	 */
	public Outcome apply(List<IngestEvent> events, Map<IngestEvent, Integer> partitionOf, RunHomes.Resolved homes) {
		List<LlmCallRecorded> calls = ofType(events, LlmCallRecorded.class);
		List<ToolUsed> tools = ofType(events, ToolUsed.class);
		Set<CallKey> newCalls = insertCalls(calls, homes);
		Set<CallKey> newTools = insertToolUses(tools, homes);
		List<ToolUsed> addedToolUses = new ArrayList<>();
		Set<CallKey> pendingTools = new HashSet<>(newTools);
		for (ToolUsed tool : tools) {
			if (pendingTools.remove(new CallKey(tool.envelope().orgId(), tool.toolEventId()))) {
				addedToolUses.add(tool);
			}
		}

		Map<RunKey, RunState> before = readRuns(events, calls, newCalls, tools, newTools, homes);
		RunFold.Result folded = RunFold.fold(events, before, newCalls, newTools, partitionOf);
		this.conflicts.increment(folded.conflicts());
		List<RunChange> changes = folded.changes();
		upsertRuns(changes, homes);
		linkParents(changes, homes);
		return new Outcome(changes, addedToolUses);
	}

	/**
	 * Where an event's row lives and how it is compared, for {@link #insertNew}: the
	 * table, its natural key, its run's partition column and the test that a stored row
	 * holds the event's content.
	 */
	private record RowsOf<E extends RunEvent, R extends Record>(Table<R> table, TableField<R, UUID> org,
			TableField<R, UUID> id, TableField<R, LocalDate> expiresOn, Function<E, CallKey> keyOf,
			BiPredicate<R, E> same) {
	}

	private static final RowsOf<LlmCallRecorded, LlmCallsRecord> CALL_ROWS = new RowsOf<>(LLM_CALLS, LLM_CALLS.ORG_ID,
			LLM_CALLS.CALL_ID, LLM_CALLS.EXPIRES_ON, (call) -> new CallKey(call.envelope().orgId(), call.callId()),
			SameContent::call);

	private static final RowsOf<ToolUsed, ToolUsesRecord> TOOL_USES_ROWS = new RowsOf<>(TOOL_USES, TOOL_USES.ORG_ID,
			TOOL_USES.TOOL_EVENT_ID, TOOL_USES.EXPIRES_ON,
			(tool) -> new CallKey(tool.envelope().orgId(), tool.toolEventId()), SameContent::toolUse);

	/**
	 * Inserts calls not seen before; returns the keys inserted now. Duplicates are
	 * compared and counted.
	 */
	private Set<CallKey> insertCalls(List<LlmCallRecorded> calls, RunHomes.Resolved homes) {
		if (calls.isEmpty()) {
			return Set.of();
		}
		Set<CallKey> inserted = insertNew(CALL_ROWS, calls, homes,
				UnnestedRows.of(calls)
					.column(LLM_CALLS.ORG_ID, call -> call.envelope().orgId())
					.column(LLM_CALLS.CALL_ID, LlmCallRecorded::callId)
					.column(LLM_CALLS.RUN_ID, LlmCallRecorded::runId)
					.column(LLM_CALLS.MODEL, LlmCallRecorded::model)
					.column(LLM_CALLS.PROVIDER, call -> call.provider().orElse(null))
					.column(LLM_CALLS.INPUT_TOKENS, LlmCallRecorded::inputTokens)
					.column(LLM_CALLS.OUTPUT_TOKENS, LlmCallRecorded::outputTokens)
					.column(LLM_CALLS.COST_USD, LlmCallRecorded::costUsd)
					.column(LLM_CALLS.LATENCY_MS, LlmCallRecorded::latencyMs)
					.column(LLM_CALLS.STATUS, call -> call.status().name().toLowerCase(Locale.ROOT))
					.column(LLM_CALLS.STARTED_AT, call -> utc(call.startedAt()))
					.column(LLM_CALLS.EXPIRES_ON, call -> homes.of(RunKey.of(call))));
		countWithinBatchConflicts(calls, inserted);
		return inserted;
	}

	private Set<CallKey> insertToolUses(List<ToolUsed> tools, RunHomes.Resolved homes) {
		if (tools.isEmpty()) {
			return Set.of();
		}
		return insertNew(TOOL_USES_ROWS, tools, homes,
				UnnestedRows.of(tools)
					.column(TOOL_USES.ORG_ID, tool -> tool.envelope().orgId())
					.column(TOOL_USES.TOOL_EVENT_ID, ToolUsed::toolEventId)
					.column(TOOL_USES.RUN_ID, ToolUsed::runId)
					.column(TOOL_USES.TOOL_NAME, ToolUsed::toolName)
					.column(TOOL_USES.STATUS, tool -> tool.status().name().toLowerCase(Locale.ROOT))
					.column(TOOL_USES.DURATION_MS, ToolUsed::durationMs)
					.column(TOOL_USES.STARTED_AT, tool -> utc(tool.startedAt()))
					.column(TOOL_USES.EXPIRES_ON, tool -> homes.of(RunKey.of(tool))));
	}

	/**
	 * Inserts the rows of events whose key is not stored yet; returns the keys inserted
	 * now. An event whose key was stored before is compared with the stored row and
	 * counted when its content differs.
	 */
	private <E extends RunEvent, R extends Record> Set<CallKey> insertNew(RowsOf<E, R> of, List<E> events,
			RunHomes.Resolved homes, UnnestedRows<E> rows) {
		Set<CallKey> inserted = this.db.insertInto(of.table())
			.columns(rows.targets())
			.select(rows.select())
			.onConflictDoNothing()
			.returningResult(of.org(), of.id())
			.fetch(r -> new CallKey(r.value1(), r.value2()))
			.stream()
			.collect(Collectors.toCollection(HashSet::new));
		List<E> repeated = events.stream().filter(event -> !inserted.contains(of.keyOf().apply(event))).toList();
		if (!repeated.isEmpty()) {
			Map<CallKey, R> stored = UnnestedRows.of(repeated)
				.column(of.org(), event -> of.keyOf().apply(event).orgId())
				.column(of.id(), event -> of.keyOf().apply(event).id())
				.column(of.expiresOn(), event -> homes.of(RunKey.of(event)))
				.lookup(this.db, of.table())
				.intoMap(r -> new CallKey(r.get(of.org()), r.get(of.id())));
			for (E event : repeated) {
				R row = stored.get(of.keyOf().apply(event));
				countIfConflicting(row != null && of.same().test(row, event));
			}
		}
		return inserted;
	}

	/**
	 * Reads every run the batch changes, in its home; null for runs not yet stored. No
	 * row lock: {@link RunHomes} holds the runs' key rows.
	 */
	private Map<RunKey, RunState> readRuns(List<IngestEvent> events, List<LlmCallRecorded> calls, Set<CallKey> newCalls,
			List<ToolUsed> tools, Set<CallKey> newTools, RunHomes.Resolved homes) {
		Set<RunKey> keys = new TreeSet<>(RunKey.LOCK_ORDER);
		for (IngestEvent event : events) {
			if (event instanceof RunStarted || event instanceof RunEnded) {
				keys.add(RunKey.of((RunEvent) event));
			}
		}
		calls.stream()
			.filter(call -> newCalls.contains(new CallKey(call.envelope().orgId(), call.callId())))
			.forEach(call -> keys.add(RunKey.of(call)));
		tools.stream()
			.filter(tool -> newTools.contains(new CallKey(tool.envelope().orgId(), tool.toolEventId())))
			.forEach(tool -> keys.add(RunKey.of(tool)));
		Map<RunKey, RunState> locked = new LinkedHashMap<>();
		keys.forEach(key -> locked.put(key, null));
		if (keys.isEmpty()) {
			return locked;
		}
		UnnestedRows.of(List.copyOf(keys))
			.column(RUNS.ORG_ID, RunKey::orgId)
			.column(RUNS.RUN_ID, RunKey::runId)
			.column(RUNS.EXPIRES_ON, homes::of)
			.lookup(this.db, RUNS)
			.forEach(row -> locked.put(new RunKey(row.getOrgId(), row.getRunId()), RunState.of(row)));
		return locked;
	}

	private void upsertRuns(List<RunChange> changes, RunHomes.Resolved homes) {
		if (changes.isEmpty()) {
			return;
		}
		var rows = UnnestedRows.of(changes.stream().map(RunChange::after).toList())
			.column(RUNS.ORG_ID, RunState::orgId)
			.column(RUNS.RUN_ID, RunState::runId)
			.column(RUNS.WORKFLOW_NAME, RunState::workflowName)
			.column(RUNS.STARTED_AT, run -> utc(run.startedAt()))
			.column(RUNS.RUN_ID_EXTERNAL, RunState::runIdExternal)
			.column(RUNS.PARENT_RUN_ID, RunState::parentRunId)
			.column(RUNS.STATUS, run -> run.status().stored())
			.column(RUNS.ENDED_AT, run -> utc(run.endedAt()))
			.column(RUNS.DURATION_MS, RunState::durationMs)
			.column(RUNS.COST_USD, RunState::costUsd)
			.column(RUNS.INPUT_TOKENS, RunState::inputTokens)
			.column(RUNS.OUTPUT_TOKENS, RunState::outputTokens)
			.column(RUNS.TOTAL_TOKENS, RunState::totalTokens)
			.column(RUNS.LLM_CALL_COUNT, RunState::llmCallCount)
			.column(RUNS.TOOL_USE_COUNT, RunState::toolUseCount)
			.column(RUNS.EXPIRES_ON, run -> homes.of(new RunKey(run.orgId(), run.runId())));
		var insert = this.db.insertInto(RUNS).columns(rows.targets()).select(rows.select());
		insert.onConflict(RUNS.ORG_ID, RUNS.RUN_ID, RUNS.EXPIRES_ON)
			.doUpdate()
			.set(RUNS.WORKFLOW_NAME, DSL.excluded(RUNS.WORKFLOW_NAME))
			.set(RUNS.STARTED_AT, DSL.excluded(RUNS.STARTED_AT))
			.set(RUNS.RUN_ID_EXTERNAL, DSL.excluded(RUNS.RUN_ID_EXTERNAL))
			.set(RUNS.PARENT_RUN_ID, DSL.excluded(RUNS.PARENT_RUN_ID))
			.set(RUNS.STATUS, DSL.excluded(RUNS.STATUS))
			.set(RUNS.ENDED_AT, DSL.excluded(RUNS.ENDED_AT))
			.set(RUNS.DURATION_MS, DSL.excluded(RUNS.DURATION_MS))
			.set(RUNS.COST_USD, DSL.excluded(RUNS.COST_USD))
			.set(RUNS.INPUT_TOKENS, DSL.excluded(RUNS.INPUT_TOKENS))
			.set(RUNS.OUTPUT_TOKENS, DSL.excluded(RUNS.OUTPUT_TOKENS))
			.set(RUNS.TOTAL_TOKENS, DSL.excluded(RUNS.TOTAL_TOKENS))
			.set(RUNS.LLM_CALL_COUNT, DSL.excluded(RUNS.LLM_CALL_COUNT))
			.set(RUNS.TOOL_USE_COUNT, DSL.excluded(RUNS.TOOL_USE_COUNT))
			.set(RUNS.UPDATED_AT, DSL.currentOffsetDateTime())
			.execute();
	}

	/**
	 * The parent of each run that started in this batch, on its key row, where run detail
	 * finds a run's children: set once, from the start that won (as the run row's). The
	 * batch holds the key rows' locks ({@link RunHomes}).
	 */
	private void linkParents(List<RunChange> changes, RunHomes.Resolved homes) {
		List<RunState> children = changes.stream()
			.filter((change) -> (change.before() == null || !change.before().started()) && change.after().started()
					&& change.after().parentRunId() != null)
			.map(RunChange::after)
			.toList();
		if (!children.isEmpty()) {
			UnnestedRows.of(children)
				.column(RUN_KEYS.ORG_ID, RunState::orgId)
				.column(RUN_KEYS.RUN_ID, RunState::runId)
				.column(RUN_KEYS.EXPIRES_ON, (run) -> homes.of(new RunKey(run.orgId(), run.runId())))
				.column(RUN_KEYS.PARENT_RUN_ID, RunState::parentRunId)
				.upsert(this.db, RUN_KEYS, List.of(RUN_KEYS.ORG_ID, RUN_KEYS.RUN_ID));
		}
	}

	/**
	 * Two events of one batch with the same key: the first was inserted, the others are
	 * duplicates.
	 */
	private void countWithinBatchConflicts(List<LlmCallRecorded> calls, Set<CallKey> inserted) {
		Map<CallKey, LlmCallRecorded> first = new HashMap<>();
		for (LlmCallRecorded call : calls) {
			CallKey key = new CallKey(call.envelope().orgId(), call.callId());
			if (inserted.contains(key) && first.putIfAbsent(key, call) != null) {
				countIfConflicting(SameContent.calls(first.get(key), call));
			}
		}
	}

	private void countIfConflicting(boolean sameContent) {
		if (!sameContent) {
			this.conflicts.increment();
		}
	}

	private static <T extends IngestEvent> List<T> ofType(List<IngestEvent> events, Class<T> type) {
		return events.stream().filter(type::isInstance).map(type::cast).toList();
	}

	static OffsetDateTime utc(Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

}
