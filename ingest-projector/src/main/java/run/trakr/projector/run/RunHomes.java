package run.trakr.projector.run;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jooq.DSLContext;

import org.springframework.stereotype.Component;

import run.trakr.projector.retention.ExpiryPartitions;
import run.trakr.projector.retention.RetentionHorizons;
import run.trakr.projector.sql.UnnestedRows;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunEvent;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.jooq.tables.records.RunKeysRecord;
import run.trakr.schema.retention.Expiry;

import static run.trakr.schema.jooq.Tables.LLM_CALLS;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.RUN_KEYS;
import static run.trakr.schema.jooq.Tables.TOOL_USES;

/**
 * Where each run of a batch lives: the {@code expires_on} of its rows (their partition),
 * from {@code run_keys}. Every run the batch touches has its key row locked, in one
 * order, so two projectors never write one run at once wherever its rows are. A run whose
 * start arrives now gets its expiry, and the rows it had in the "never" partition move
 * there. An event for a run past its org's horizon is not applied: it is returned as
 * expired.
 */
@Component
public class RunHomes {

	private final DSLContext db;

	private final RetentionHorizons horizons;

	private final ExpiryPartitions partitions;

	RunHomes(DSLContext db, RetentionHorizons horizons, ExpiryPartitions partitions) {
		this.db = db;
		this.horizons = horizons;
		this.partitions = partitions;
	}

	/**
	 * The batch's run events sorted out: where each admitted run lives, and the events
	 * that arrived after their run expired.
	 */
	public record Resolved(Map<RunKey, LocalDate> expiresOn, List<RunEvent> expired) {

		/** The expiry of the run's rows (never null for an admitted run). */
		LocalDate of(RunKey run) {
			return this.expiresOn.get(run);
		}

		/** The expiry of the rows of the org's run, which the batch admitted. */
		public LocalDate of(UUID orgId, UUID runId) {
			return of(new RunKey(orgId, runId));
		}

	}

	/** Locks, reads and where needed creates or moves the home of every run in events. */
	public Resolved resolve(List<IngestEvent> events, LocalDate today) {
		Map<RunKey, List<RunEvent>> byRun = new LinkedHashMap<>();
		for (IngestEvent event : events) {
			if (event instanceof RunEvent run) {
				byRun.computeIfAbsent(RunKey.of(run), key -> new ArrayList<>()).add(run);
			}
		}
		if (byRun.isEmpty()) {
			return new Resolved(Map.of(), List.of());
		}
		Map<UUID, OptionalInt> rawDays = this.horizons
			.rawDays(byRun.keySet().stream().map(RunKey::orgId).collect(Collectors.toSet()));
		Map<RunKey, LocalDate> stored = lock(byRun.keySet());

		Map<RunKey, LocalDate> homes = new HashMap<>();
		Map<RunKey, LocalDate> created = new LinkedHashMap<>();
		Map<RunKey, LocalDate> moved = new LinkedHashMap<>();
		List<RunEvent> expired = new ArrayList<>();
		for (Map.Entry<RunKey, List<RunEvent>> entry : byRun.entrySet()) {
			RunKey run = entry.getKey();
			OptionalInt days = rawDays.get(run.orgId());
			LocalDate home = stored.getOrDefault(run, Expiry.NEVER);
			Instant start = firstStart(entry.getValue());
			if (home.equals(Expiry.NEVER) && start != null && days.isPresent()) {
				home = Expiry.of(start, days.getAsInt());
			}
			List<RunEvent> admitted = new ArrayList<>();
			for (RunEvent event : entry.getValue()) {
				if (Expiry.expired(home, today) || (home.equals(Expiry.NEVER) && days.isPresent()
						&& Expiry.expired(Expiry.of(time(event), days.getAsInt()), today))) {
					expired.add(event);
				}
				else {
					admitted.add(event);
				}
			}
			if (admitted.isEmpty()) {
				continue;
			}
			homes.put(run, home);
			if (!stored.containsKey(run)) {
				created.put(run, home);
			}
			else if (!stored.get(run).equals(home)) {
				moved.put(run, home);
			}
		}
		this.partitions.ensureFor(created.values());
		this.partitions.ensureFor(moved.values());
		create(created);
		moved.forEach(this::move);
		return new Resolved(homes, expired);
	}

	/**
	 * The stored homes of these runs, their key rows locked in {@link RunKey#LOCK_ORDER}.
	 */
	private Map<RunKey, LocalDate> lock(Set<RunKey> runs) {
		Set<RunKey> sorted = new TreeSet<>(RunKey.LOCK_ORDER);
		sorted.addAll(runs);
		Map<RunKey, LocalDate> stored = new HashMap<>();
		for (RunKeysRecord row : UnnestedRows.of(List.copyOf(sorted))
			.column(RUN_KEYS.ORG_ID, RunKey::orgId)
			.column(RUN_KEYS.RUN_ID, RunKey::runId)
			.lock(this.db, RUN_KEYS)) {
			stored.put(new RunKey(row.getOrgId(), row.getRunId()), row.getExpiresOn());
		}
		return stored;
	}

	/**
	 * Adds the key rows of runs seen for the first time. Another projector may have added
	 * one meanwhile (a run's events in two partitions): its insert waits for that one to
	 * commit and then fails, and the batch is retried and finds the row.
	 */
	private void create(Map<RunKey, LocalDate> runs) {
		if (runs.isEmpty()) {
			return;
		}
		List<Map.Entry<RunKey, LocalDate>> sorted = runs.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey(RunKey.LOCK_ORDER))
			.toList();
		var rows = UnnestedRows.of(sorted)
			.column(RUN_KEYS.ORG_ID, entry -> entry.getKey().orgId())
			.column(RUN_KEYS.RUN_ID, entry -> entry.getKey().runId())
			.column(RUN_KEYS.EXPIRES_ON, Map.Entry::getValue);
		this.db.insertInto(RUN_KEYS).columns(rows.targets()).select(rows.select()).execute();
	}

	/**
	 * A run that waited in the "never" partition has started: its key, its row, its calls
	 * and its tool uses move to the partition of its expiry (an UPDATE of the partition
	 * key moves a row). Rare: only runs whose first event was not their start.
	 */
	private void move(RunKey run, LocalDate home) {
		this.db.update(RUN_KEYS)
			.set(RUN_KEYS.EXPIRES_ON, home)
			.where(RUN_KEYS.ORG_ID.eq(run.orgId()), RUN_KEYS.RUN_ID.eq(run.runId()))
			.execute();
		this.db.update(RUNS)
			.set(RUNS.EXPIRES_ON, home)
			.where(RUNS.ORG_ID.eq(run.orgId()), RUNS.RUN_ID.eq(run.runId()), RUNS.EXPIRES_ON.eq(Expiry.NEVER))
			.execute();
		this.db.update(LLM_CALLS)
			.set(LLM_CALLS.EXPIRES_ON, home)
			.where(LLM_CALLS.ORG_ID.eq(run.orgId()), LLM_CALLS.RUN_ID.eq(run.runId()),
					LLM_CALLS.EXPIRES_ON.eq(Expiry.NEVER))
			.execute();
		this.db.update(TOOL_USES)
			.set(TOOL_USES.EXPIRES_ON, home)
			.where(TOOL_USES.ORG_ID.eq(run.orgId()), TOOL_USES.RUN_ID.eq(run.runId()),
					TOOL_USES.EXPIRES_ON.eq(Expiry.NEVER))
			.execute();
	}

	/** The start of the first run_started among a run's events, null when none. */
	private static Instant firstStart(List<RunEvent> events) {
		for (RunEvent event : events) {
			if (event instanceof RunStarted started) {
				return started.startedAt();
			}
		}
		return null;
	}

	/** When an event happened, by its own timestamp. */
	private static Instant time(RunEvent event) {
		if (event instanceof RunStarted started) {
			return started.startedAt();
		}
		if (event instanceof LlmCallRecorded call) {
			return call.startedAt();
		}
		if (event instanceof ToolUsed tool) {
			return tool.startedAt();
		}
		return ((RunEnded) event).endedAt();
	}

}
