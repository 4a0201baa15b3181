package run.trakr.readapi.run;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.Result;
import org.jooq.SortField;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

import run.trakr.readapi.query.Formats;
import run.trakr.readapi.query.RawHorizons;
import run.trakr.readapi.query.RunPartitions;
import run.trakr.readapi.query.TimeWindow;
import run.trakr.readapi.rollup.RollupReader;
import run.trakr.schema.RunStatus;
import run.trakr.schema.retention.Expiry;
import run.trakr.schema.rollup.WorkflowTotals;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.sum;
import static run.trakr.schema.jooq.Tables.ALERT_EVENTS;
import static run.trakr.schema.jooq.Tables.LLM_CALLS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.RUN_KEYS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;

/** Reads runs, one org at a time; a run is visible once its start is known. */
@Component
class RunQueries {

	private final DSLContext db;

	private final RollupReader rollups;

	private final RawHorizons horizons;

	RunQueries(DSLContext db, RollupReader rollups, RawHorizons horizons) {
		this.db = db;
		this.rollups = rollups;
		this.horizons = horizons;
	}

	/** A page of runs and the total they belong to, as of one moment. */
	record PageAndTotal(List<Record> rows, long totalCount) {
	}

	/**
	 * {@link #page} and {@link #totalCount} in one read-only REPEATABLE READ transaction:
	 * one snapshot, so that runs projected meanwhile cannot make the count disagree with
	 * the page.
	 */
	@Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
	public PageAndTotal pageAndTotal(UUID orgId, RunFilter filter, RunPosition after, int limit) {
		return new PageAndTotal(page(orgId, filter, after, limit), totalCount(orgId, filter));
	}

	/**
	 * One page after {@code after} (null for the first), plus one more row to tell if
	 * another page follows.
	 */
	List<Record> page(UUID orgId, RunFilter filter, RunPosition after, int limit) {
		return this.db.select(RunSummary.COLUMNS)
			.from(RUNS)
			.where(matching(orgId, filter))
			.and((after != null) ? after(filter.sort(), after) : noCondition())
			.orderBy(order(filter.sort()))
			.limit(limit + 1)
			.fetch();
	}

	/**
	 * Every matching run in the list's order, read as the caller iterates (a server-side
	 * cursor, {@code fetchSize} rows a round trip); the caller closes it, inside its
	 * transaction.
	 */
	Cursor<Record> all(UUID orgId, RunFilter filter, int fetchSize) {
		return this.db.select(RunSummary.COLUMNS)
			.from(RUNS)
			.where(matching(orgId, filter))
			.orderBy(order(filter.sort()))
			.fetchSize(fetchSize)
			.fetchLazy();
	}

	/**
	 * Exact count of matching runs: from the rollups when the filters are ones they keep
	 * (workflow, status, window), else by counting rows.
	 */
	long totalCount(UUID orgId, RunFilter filter) {
		if (filter.costMin() != null || filter.costMax() != null) {
			return this.db.fetchCount(RUNS, matching(orgId, filter));
		}
		String onlyWorkflow = (filter.workflows().size() == 1) ? filter.workflows().get(0) : null;
		// The rollups outlive the runs: count only the retained part of the window.
		TimeWindow retained = this.horizons.retained(orgId, filter.window());
		if (retained == null) {
			return 0;
		}
		// All workflows' counts are derived once per window content: a default window's
		// first page is a dashboard's refresh, and copying every workflow's histograms
		// to count its runs was most of its time.
		Map<String, long[]> counts = (onlyWorkflow == null)
				? this.rollups.byWorkflowDerived("run counts", orgId, retained, RunQueries::counts,
						(byWorkflow) -> 1 + byWorkflow.size())
				: counts(this.rollups.byWorkflow(orgId, onlyWorkflow, retained));
		long total = 0;
		for (var entry : counts.entrySet()) {
			if (!filter.workflows().isEmpty() && !filter.workflows().contains(entry.getKey())) {
				continue;
			}
			long[] workflow = entry.getValue();
			if (filter.statuses().isEmpty()) {
				total += workflow[0];
			}
			else {
				for (String status : filter.statuses().stream().distinct().toList()) {
					total += workflow[1 + RunStatus.of(status).ordinal()];
				}
			}
		}
		return total;
	}

	/** Each workflow's run count, then its count of each status (from 1, by ordinal). */
	private static Map<String, long[]> counts(Map<String, WorkflowTotals> byWorkflow) {
		Map<String, long[]> counts = new HashMap<>();
		byWorkflow.forEach((name, aggregate) -> {
			long[] workflow = new long[1 + RunStatus.values().length];
			workflow[0] = aggregate.runCount();
			for (RunStatus status : RunStatus.values()) {
				workflow[1 + status.ordinal()] = aggregate.count(status);
			}
			counts.put(name, workflow);
		});
		return counts;
	}

	/**
	 * The run, from the one partition its key names (a run without a key, written by
	 * hand, is in the "never" one; a run whose key has expired is not found).
	 */
	Record run(UUID orgId, UUID runId) {
		Field<LocalDate> home = coalesce(field(select(RUN_KEYS.EXPIRES_ON).from(RUN_KEYS)
			.where(RUN_KEYS.ORG_ID.eq(orgId))
			.and(RUN_KEYS.RUN_ID.eq(runId))), inline(Expiry.NEVER));
		return this.db.select(RunSummary.COLUMNS)
			.select(RUNS.PARENT_RUN_ID, RUNS.INPUT_TOKENS, RUNS.OUTPUT_TOKENS, RUNS.EXPIRES_ON)
			.from(RUNS)
			.where(RUNS.ORG_ID.eq(orgId))
			.and(RUNS.RUN_ID.eq(runId))
			.and(RUNS.EXPIRES_ON.eq(home))
			.and(retained(orgId))
			.and(RUNS.STARTED_AT.isNotNull())
			.fetchOne();
	}

	List<RunDetail.LlmCall> llmCalls(UUID orgId, UUID runId, LocalDate expiresOn) {
		return this.db
			.select(LLM_CALLS.CALL_ID, LLM_CALLS.MODEL, LLM_CALLS.PROVIDER, LLM_CALLS.INPUT_TOKENS,
					LLM_CALLS.OUTPUT_TOKENS, LLM_CALLS.COST_USD, LLM_CALLS.LATENCY_MS, LLM_CALLS.STATUS,
					LLM_CALLS.STARTED_AT)
			.from(LLM_CALLS)
			.where(LLM_CALLS.ORG_ID.eq(orgId))
			.and(LLM_CALLS.RUN_ID.eq(runId))
			.and(LLM_CALLS.EXPIRES_ON.eq(expiresOn))
			.orderBy(LLM_CALLS.STARTED_AT, LLM_CALLS.CALL_ID)
			.fetch((row) -> new RunDetail.LlmCall(row.value1().toString(), row.value2(), row.value3(), row.value4(),
					row.value5(), row.value4() + row.value5(), Formats.money(row.value6()), row.value7(), row.value8(),
					Formats.timestamp(row.value9())));
	}

	List<RunDetail.ToolEvent> toolEvents(UUID orgId, UUID runId, LocalDate expiresOn) {
		return this.db
			.select(TOOL_USES.TOOL_EVENT_ID, TOOL_USES.TOOL_NAME, TOOL_USES.STATUS, TOOL_USES.DURATION_MS,
					TOOL_USES.STARTED_AT)
			.from(TOOL_USES)
			.where(TOOL_USES.ORG_ID.eq(orgId))
			.and(TOOL_USES.RUN_ID.eq(runId))
			.and(TOOL_USES.EXPIRES_ON.eq(expiresOn))
			.orderBy(TOOL_USES.STARTED_AT, TOOL_USES.TOOL_EVENT_ID)
			.fetch((row) -> new RunDetail.ToolEvent(row.value1().toString(), row.value2(), row.value3(), row.value4(),
					Formats.timestamp(row.value5())));
	}

	/** A run's direct children, newest first, and the cost of all its descendants. */
	record Family(List<RunSummary> children, BigDecimal descendantsCost) {
	}

	/**
	 * The run's retained descendants at any depth, a generation at a time: the keys of
	 * the generation's children ({@code run_keys_by_parent}), then their rows, each in
	 * its own partition. A child's partition follows its own start, which its parent's
	 * does not bound, so without the keys every partition was searched. The walk goes
	 * through retained runs only, and a run seen before ends it (bad data could link runs
	 * in a cycle).
	 */
	Family family(UUID orgId, UUID runId) {
		List<RunSummary> children = null;
		BigDecimal cost = BigDecimal.ZERO;
		Set<UUID> seen = new HashSet<>(List.of(runId));
		List<UUID> parents = List.of(runId);
		while (!parents.isEmpty()) {
			List<Record> generation = childrenOf(orgId, parents);
			List<UUID> next = new ArrayList<>();
			for (Record run : generation) {
				if (seen.add(run.get(RUNS.RUN_ID))) {
					next.add(run.get(RUNS.RUN_ID));
					cost = cost.add(run.get(RUNS.COST_USD));
				}
			}
			if (children == null) {
				children = generation.stream().map(RunSummary::of).toList();
			}
			parents = next;
		}
		return new Family(children, cost);
	}

	/** The retained runs whose parent is one of {@code parents}, newest first. */
	private List<Record> childrenOf(UUID orgId, List<UUID> parents) {
		UUID[] parentIds = parents.toArray(UUID[]::new);
		Result<Record2<UUID, LocalDate>> keys = this.db.select(RUN_KEYS.RUN_ID, RUN_KEYS.EXPIRES_ON)
			.from(RUN_KEYS)
			.where(RUN_KEYS.ORG_ID.eq(orgId))
			.and(RUN_KEYS.PARENT_RUN_ID.eq(any(parentIds)))
			.fetch();
		if (keys.isEmpty()) {
			return List.of();
		}
		// The partitions named as values, so that the planner reads only those.
		Set<LocalDate> homes = new TreeSet<>(keys.getValues(RUN_KEYS.EXPIRES_ON));
		return this.db.select(RunSummary.COLUMNS)
			.from(RUNS)
			.where(RUNS.ORG_ID.eq(orgId))
			.and(RUNS.RUN_ID.eq(any(keys.getValues(RUN_KEYS.RUN_ID).toArray(UUID[]::new))))
			.and(RUNS.EXPIRES_ON.in(homes))
			.and(RUNS.PARENT_RUN_ID.eq(any(parentIds)))
			.and(RUNS.STARTED_AT.isNotNull())
			.and(retained(orgId))
			.orderBy(RUNS.STARTED_AT.desc(), RUNS.RUN_ID.desc())
			.fetch();
	}

	/**
	 * The org's retained runs: not expired (an expired run's key and partition stay until
	 * the retention job's next run and its week's end), and started on or after its
	 * horizon today (runs written under a longer one keep their expiry:
	 * docs/retention.md).
	 */
	private Condition retained(UUID orgId) {
		Instant horizon = this.horizons.of(orgId);
		return RUNS.EXPIRES_ON.gt(this.horizons.today())
			.and((horizon != null) ? RUNS.STARTED_AT.ge(utc(horizon)) : noCondition());
	}

	List<RunDetail.RunAlert> latestAlerts(UUID orgId, UUID runId) {
		return this.db
			.select(ALERT_EVENTS.ALERT_EVENT_ID, ALERT_EVENTS.ALERT_RULE_ID, ALERT_EVENTS.ALERT_RULE_NAME,
					ALERT_EVENTS.TRIGGERED_VALUE, ALERT_EVENTS.THRESHOLD_VALUE, ALERT_EVENTS.NOTIFICATION_SENT,
					ALERT_EVENTS.RESOLVED_AT, ALERT_EVENTS.FIRED_AT)
			.from(ALERT_EVENTS)
			.where(ALERT_EVENTS.ORG_ID.eq(orgId))
			.and(ALERT_EVENTS.RUN_ID.eq(runId))
			.and(ALERT_EVENTS.FIRED_AT.isNotNull())
			.orderBy(ALERT_EVENTS.FIRED_AT.desc(), ALERT_EVENTS.ALERT_EVENT_ID.desc())
			.limit(5)
			.fetch((row) -> new RunDetail.RunAlert(row.value1().toString(), row.value2(), row.value3(), row.value4(),
					row.value5(), Boolean.TRUE.equals(row.value6()), Formats.timestamp(row.value7()),
					Formats.timestamp(row.value8())));
	}

	List<RunComparison.ModelUse> models(UUID orgId, UUID runId, LocalDate expiresOn) {
		return this.db
			.select(LLM_CALLS.MODEL, count(), sum(LLM_CALLS.INPUT_TOKENS.plus(LLM_CALLS.OUTPUT_TOKENS)),
					sum(LLM_CALLS.COST_USD))
			.from(LLM_CALLS)
			.where(LLM_CALLS.ORG_ID.eq(orgId))
			.and(LLM_CALLS.RUN_ID.eq(runId))
			.and(LLM_CALLS.EXPIRES_ON.eq(expiresOn))
			.groupBy(LLM_CALLS.MODEL)
			.orderBy(LLM_CALLS.MODEL)
			.fetch((row) -> new RunComparison.ModelUse(row.value1(), row.value2(), row.value3().longValue(),
					Formats.money(row.value4())));
	}

	List<RunComparison.ToolUse> tools(UUID orgId, UUID runId, LocalDate expiresOn) {
		return this.db
			.select(TOOL_USES.TOOL_NAME, count(), count().filterWhere(TOOL_USES.STATUS.eq("error")),
					sum(TOOL_USES.DURATION_MS))
			.from(TOOL_USES)
			.where(TOOL_USES.ORG_ID.eq(orgId))
			.and(TOOL_USES.RUN_ID.eq(runId))
			.and(TOOL_USES.EXPIRES_ON.eq(expiresOn))
			.groupBy(TOOL_USES.TOOL_NAME)
			.orderBy(TOOL_USES.TOOL_NAME)
			.fetch((row) -> new RunComparison.ToolUse(row.value1(), row.value2(), row.value3(),
					row.value4().longValue()));
	}

	private Condition matching(UUID orgId, RunFilter filter) {
		Condition condition = RUNS.ORG_ID.eq(orgId)
			.and(RUNS.STARTED_AT.between(utc(filter.window().from()), utc(filter.window().to())))
			.and(retained(orgId))
			.and(RunPartitions.startedBetween(this.db, orgId, filter.window().from(), filter.window().to()));
		if (!filter.workflows().isEmpty()) {
			condition = condition.and(RUNS.WORKFLOW_NAME.in(filter.workflows()));
		}
		if (!filter.statuses().isEmpty()) {
			condition = condition.and(RUNS.STATUS.in(filter.statuses()));
		}
		if (filter.costMin() != null) {
			condition = condition.and(RUNS.COST_USD.ge(filter.costMin()));
		}
		if (filter.costMax() != null) {
			condition = condition.and(RUNS.COST_USD.le(filter.costMax()));
		}
		return condition;
	}

	private static List<SortField<?>> order(RunSort sort) {
		boolean desc = sort.descending();
		List<SortField<?>> order = new ArrayList<>();
		switch (sort) {
			case STARTED_AT_DESC, STARTED_AT_ASC -> order.add(desc ? RUNS.STARTED_AT.desc() : RUNS.STARTED_AT.asc());
			case COST_DESC, COST_ASC -> order.add(desc ? RUNS.COST_USD.desc() : RUNS.COST_USD.asc());
			// Runs still running have no duration and come last in both directions.
			case DURATION_DESC, DURATION_ASC ->
				order.add((desc ? RUNS.DURATION_MS.desc() : RUNS.DURATION_MS.asc()).nullsLast());
		}
		order.add(desc ? RUNS.RUN_ID.desc() : RUNS.RUN_ID.asc());
		return order;
	}

	/** Rows strictly after the position in the sort's order. */
	private static Condition after(RunSort sort, RunPosition position) {
		boolean desc = sort.descending();
		UUID id = position.runId();
		return switch (sort) {
			case STARTED_AT_DESC, STARTED_AT_ASC -> {
				var key = row(RUNS.STARTED_AT, RUNS.RUN_ID);
				OffsetDateTime startedAt = utc(position.startedAt());
				yield desc ? key.lt(startedAt, id) : key.gt(startedAt, id);
			}
			case COST_DESC, COST_ASC -> {
				var key = row(RUNS.COST_USD, RUNS.RUN_ID);
				yield desc ? key.lt(position.cost(), id) : key.gt(position.cost(), id);
			}
			case DURATION_DESC, DURATION_ASC -> {
				if (position.durationMs() == null) {
					yield RUNS.DURATION_MS.isNull().and(desc ? RUNS.RUN_ID.lt(id) : RUNS.RUN_ID.gt(id));
				}
				var key = row(RUNS.DURATION_MS, RUNS.RUN_ID);
				yield (desc ? key.lt(position.durationMs(), id) : key.gt(position.durationMs(), id))
					.or(RUNS.DURATION_MS.isNull());
			}
		};
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

}
