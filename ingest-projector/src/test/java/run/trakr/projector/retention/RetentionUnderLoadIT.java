package run.trakr.projector.retention;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projector.rollup.RollupCheck;
import run.trakr.projector.rollup.RollupScope;
import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.projectortest.support.SettableClock;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.event.IngestEvent.EndStatus;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.projectortest.support.HandWrittenEvents.of;
import static run.trakr.schema.jooq.Tables.RUNS;
import static run.trakr.schema.jooq.Tables.RUN_KEYS;

/**
 * The retention job while the projector ingests at a steady rate (issue 17): no projector
 * statement waits on a lock for 100 ms or more, and nothing is lost. Lock waits are
 * sampled every 10 ms from {@code pg_locks.waitstart}, for every backend but the job's
 * own (named {@link RetentionJob#APPLICATION_NAME}) and the sampler's.
 */
@ExtendWith(LocalStackExtension.class)
class RetentionUnderLoadIT {

	private static final LocalDate FIRST = LocalDate.parse("2026-03-02");

	/** Days of history before the job, runs a day: expired weeks hold rows to drop. */
	private static final int DAYS = 60;

	private static final int RUNS_A_DAY = 40;

	/** The steady ingest: 25 runs (100 events) every 250 ms, 400 events/s, for 12 s. */
	private static final int RUNS_A_TICK = 25;

	private static final Duration TICK = Duration.ofMillis(250);

	private static final Duration INGEST = Duration.ofSeconds(12);

	@Test
	void noBatchWaitsOnTheJobAndNothingIsLost(LocalStack stack) throws Exception {
		UUID org = UUID.randomUUID();
		SettableClock clock = new SettableClock(FIRST.atStartOfDay(ZoneOffset.UTC).toInstant());
		String topic = ProjectorInstance.newTopic(stack, 2);
		String url = stack.createDatabase();
		// Small delete batches: the job's batched removals are many transactions, as at
		// scale.
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, url, clock,
				Map.of("trakr.retention.batch-size", "100", "trakr.retention.enabled", "false"))) {
			DSLContext db = projector.db();
			db.execute("INSERT INTO organizations (org_id, name, plan) VALUES (?, 'Small', 'starter')", org);
			for (int day = 0; day < DAYS; day += 20) {
				List<IngestPopulation.Record> records = new ArrayList<>();
				for (int d = day; d < day + 20; d++) {
					for (int n = 0; n < RUNS_A_DAY; n++) {
						records.addAll(run(org,
								FIRST.plusDays(d)
									.atStartOfDay(ZoneOffset.UTC)
									.toInstant()
									.plusSeconds(600L + 1800L * n)));
					}
				}
				clock.set(at(day + 20, Duration.ZERO));
				Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic, records);
				await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(ends));
			}
			LocalDate today = FIRST.plusDays(DAYS);
			clock.set(at(DAYS, Duration.ofHours(10)));

			LockWaits waits = LockWaits.sample(stack, url);
			waits.proveItSeesAWait(stack, url);
			AtomicInteger steadyRuns = new AtomicInteger();
			AtomicBoolean ingesting = new AtomicBoolean(true);
			List<Map<Integer, Long>> published = new CopyOnWriteArrayList<>();
			CompletableFuture<Void> ingest = CompletableFuture.runAsync(() -> {
				long next = System.nanoTime();
				long end = next + INGEST.toNanos();
				while (System.nanoTime() < end) {
					List<IngestPopulation.Record> records = new ArrayList<>();
					for (int i = 0; i < RUNS_A_TICK; i++) {
						records
							.addAll(run(org, at(DAYS, Duration.ofHours(10).plusSeconds(steadyRuns.getAndIncrement()))));
					}
					published.add(ProjectorInstance.publish(stack, topic, records));
					next += TICK.toNanos();
					sleepUntil(next);
				}
				ingesting.set(false);
			});
			try {
				Thread.sleep(2000);
				// Two runs under the load: today's, and two weeks on (more weeks to
				// drop).
				RetentionJob job = projector.bean(RetentionJob.class);
				RetentionJob.Removed first = job.run(today);
				boolean overlappedFirst = ingesting.get();
				RetentionJob.Removed second = job.run(today.plusWeeks(2));
				boolean overlappedSecond = ingesting.get();
				ingest.get();
				await().atMost(Duration.ofSeconds(60))
					.until(() -> published.stream().allMatch(projector::caughtUpWith));

				// The job did its work while the projector ingested.
				assertThat(overlappedFirst && overlappedSecond).as("both job runs during the ingest").isTrue();
				assertThat(first.weeksDropped() + second.weeksDropped()).isGreaterThanOrEqualTo(4);
				assertThat(first.keys() + second.keys()).isGreaterThan(1000);
				assertThat(first.fiveMinuteRollups() + second.fiveMinuteRollups()).isGreaterThan(1000);
			}
			finally {
				waits.close();
			}
			System.out.printf("retention under load: %d steady runs, %d lock-wait samples, longest wait %d ms%n",
					steadyRuns.get(), waits.samples(), waits.longestMillis());
			assertThat(waits.samples()).as("the sampler ran").isGreaterThan(500);
			assertThat(waits.longestMillis()).as("longest lock wait of a projector statement: %s", waits.longest())
				.isLessThan(100);
			// Nothing lost: every steady run, with its call, and the rollups agree.
			LocalDate after = today.plusWeeks(2);
			assertThat(db.fetchCount(RUNS,
					RUNS.ORG_ID.eq(org)
						.and(RUNS.STARTED_AT.ge(at(DAYS, Duration.ofHours(10)).atOffset(ZoneOffset.UTC)))
						.and(RUNS.LLM_CALL_COUNT.eq(1))
						.and(RUNS.ENDED_AT.isNotNull())))
				.isEqualTo(steadyRuns.get());
			assertThat(db.fetchCount(RUN_KEYS, RUN_KEYS.EXPIRES_ON.le(after))).isZero();
			assertThat(RollupCheck.verify(db, RollupScope.EVERYTHING, RollupCheck.Progress.NONE, after)).isEmpty();
		}
	}

	/**
	 * Samples {@code pg_locks} every 10 ms on a connection of its own; keeps the longest
	 * wait seen of any backend of the database but the job's and its own.
	 */
	private static final class LockWaits implements AutoCloseable {

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final CompletableFuture<Void> sampler;

		private volatile long longestMillis;

		private volatile String longest = "none";

		private volatile int samples;

		private LockWaits(LocalStack stack, String url) {
			this.sampler = CompletableFuture.runAsync(() -> {
				try (Connection connection = DriverManager.getConnection(url, stack.postgresUser(),
						stack.postgresPassword()); Statement statement = connection.createStatement()) {
					while (this.running.get()) {
						try (ResultSet waiting = statement.executeQuery("""
								SELECT (extract(epoch FROM clock_timestamp() - l.waitstart) * 1000)::bigint,
								       l.locktype || ' ' || coalesce(l.relation::regclass::text, '') || ' ' || l.mode
								         || ' by: ' || left(a.query, 120)
								FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
								WHERE NOT l.granted AND l.waitstart IS NOT NULL AND a.datname = current_database()
								  AND a.pid <> pg_backend_pid() AND a.application_name <> '%s'"""
							.formatted(RetentionJob.APPLICATION_NAME))) {
							while (waiting.next()) {
								if (waiting.getLong(1) > this.longestMillis) {
									this.longestMillis = waiting.getLong(1);
									this.longest = waiting.getString(2);
								}
							}
						}
						this.samples++;
						Thread.sleep(10);
					}
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
		}

		static LockWaits sample(LocalStack stack, String url) {
			return new LockWaits(stack, url);
		}

		/**
		 * Makes one connection wait 300 ms on another's table lock and checks the sampler
		 * saw it, then forgets it: a sampler that sees nothing would pass any job.
		 */
		void proveItSeesAWait(LocalStack stack, String url) throws Exception {
			try (Connection holder = DriverManager.getConnection(url, stack.postgresUser(), stack.postgresPassword());
					Connection waiter = DriverManager.getConnection(url, stack.postgresUser(),
							stack.postgresPassword())) {
				holder.createStatement().execute("CREATE TABLE lock_probe (x int)");
				holder.setAutoCommit(false);
				holder.createStatement().execute("LOCK TABLE lock_probe");
				CompletableFuture<Boolean> waiting = CompletableFuture
					.supplyAsync(() -> execute(waiter, "SELECT count(*) FROM lock_probe"));
				Thread.sleep(300);
				holder.commit();
				waiting.get();
				holder.setAutoCommit(true);
				holder.createStatement().execute("DROP TABLE lock_probe");
			}
			assertThat(this.longestMillis).as("the sampler saw a 300 ms wait: %s", this.longest).isBetween(150L, 2000L);
			this.longestMillis = 0;
			this.longest = "none";
		}

		private static boolean execute(Connection connection, String sql) {
			try {
				return connection.createStatement().execute(sql);
			}
			catch (java.sql.SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}

		long longestMillis() {
			return this.longestMillis;
		}

		String longest() {
			return this.longest;
		}

		int samples() {
			return this.samples;
		}

		@Override
		public void close() {
			this.running.set(false);
			this.sampler.join();
		}

	}

	/** A run's events: start, one call, one tool use, end a minute later. */
	private static List<IngestPopulation.Record> run(UUID org, Instant start) {
		UUID run = UUID.randomUUID();
		return List.of(of(new RunStarted(envelope(org), run, "triage", start, Optional.empty(), Optional.empty())),
				of(new LlmCallRecorded(envelope(org), run, UUID.randomUUID(), "m", Optional.empty(), 10, 20,
						new BigDecimal("0.01"), 300, start.plusSeconds(5), CallStatus.SUCCESS)),
				of(new ToolUsed(envelope(org), run, UUID.randomUUID(), "search", CallStatus.SUCCESS, 40,
						start.plusSeconds(7))),
				of(new RunEnded(envelope(org), run, EndStatus.SUCCESS, start.plusSeconds(60))));
	}

	private static Envelope envelope(UUID org) {
		return new Envelope(UUID.randomUUID(), org, Instant.parse("2026-03-01T00:00:00Z"));
	}

	private static Instant at(int day, Duration time) {
		return FIRST.plusDays(day).atStartOfDay(ZoneOffset.UTC).toInstant().plus(time);
	}

	private static void sleepUntil(long nanoTime) {
		long wait = nanoTime - System.nanoTime();
		if (wait > 0) {
			try {
				Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
