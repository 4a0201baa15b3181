package run.trakr.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;

import run.trakr.localstack.LocalStack;
import run.trakr.schema.retention.Expiry;

/**
 * Issue 17's measurement: the cost of expiring one day of a 10 M-runs-per-month org
 * (about 333,000 runs, each with 8 LLM calls and 5 tool uses) by dropping its partition,
 * against removing the same rows with batched {@code DELETE}s (5,000 rows a transaction,
 * the best case for it: an index on each table's time column, as an unpartitioned design
 * would need). Both remove the same day, loaded twice into a fresh durable stack beside a
 * day that stays. Reports time, WAL written, and the three tables' size (heap and
 * indexes) before, after, and after {@code VACUUM}.
 *
 * <pre>
 * bench/retention.sh [--runs-per-day 333333] [--calls 8] [--tools 5] [--batch 5000]
 * </pre>
 */
public final class RetentionBenchmark {

	private static final List<String> TABLES = List.of("runs", "llm_calls", "tool_uses");

	private static final UUID ORG = UUID.fromString("00000000-0000-4000-8000-0000000000e1");

	private RetentionBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = options(args);
		int runsPerDay = Integer.parseInt(options.getOrDefault("runs-per-day", "333333"));
		int calls = Integer.parseInt(options.getOrDefault("calls", "8"));
		int tools = Integer.parseInt(options.getOrDefault("tools", "5"));
		int batch = Integer.parseInt(options.getOrDefault("batch", "5000"));
		try (LocalStack stack = LocalStack.start(new LocalStack.Settings(0, 0, 0, true))) {
			Flyway.configure()
				.dataSource(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword())
				.locations("classpath:db/migration")
				.load()
				.migrate();
			try (Connection connection = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(),
					stack.postgresPassword()); Statement sql = connection.createStatement()) {
				sql.execute("INSERT INTO organizations (org_id, name, plan) VALUES ('" + ORG + "', 'large', 'pro')");
				// The day that expires (started 91 days before "today", pro keeps 90) and
				// a
				// day that stays (a week later, in another partition).
				LocalDate today = LocalDate.now(ZoneOffset.UTC);
				LocalDate expiring = today.minusDays(91);
				LocalDate staying = expiring.plusWeeks(1);
				sql.execute("SELECT create_expiry_partitions('" + expiry(expiring) + "', '" + expiry(staying) + "')");
				// The index a time-based batched DELETE needs (the partitioned design
				// does
				// not).
				sql.execute("CREATE INDEX llm_calls_by_time ON llm_calls (org_id, started_at)");
				sql.execute("CREATE INDEX tool_uses_by_time ON tool_uses (org_id, started_at)");
				System.out.printf("%,d runs a day, %d calls and %d tool uses each; batched DELETE of %,d rows%n",
						runsPerDay, calls, tools, batch);
				long loaded = load(sql, staying, runsPerDay, calls, tools);
				System.out.printf("load: the day that stays, %,d rows%n", loaded);

				load(sql, expiring, runsPerDay, calls, tools);
				Sizes before = Sizes.of(sql);
				long wal = walPosition(sql);
				long started = System.nanoTime();
				long deleted = 0;
				// A batch is one transaction: a few hundred runs of the day with their
				// calls
				// and tool uses (about batch rows), found through the run, as the
				// projector
				// keeps them.
				int runsPerBatch = Math.max(1, batch / (1 + calls + tools));
				String day = "org_id = '" + ORG + "' AND started_at >= '" + expiring + "T00:00:00Z' AND started_at < '"
						+ expiring.plusDays(1) + "T00:00:00Z'";
				int runs;
				do {
					try (ResultSet counts = sql.executeQuery("WITH batch AS (SELECT org_id, run_id FROM runs WHERE "
							+ day + " LIMIT " + runsPerBatch + "), "
							+ "c AS (DELETE FROM llm_calls x USING batch b WHERE x.org_id = b.org_id AND x.run_id = b.run_id"
							+ " RETURNING 1), "
							+ "t AS (DELETE FROM tool_uses x USING batch b WHERE x.org_id = b.org_id AND x.run_id = b.run_id"
							+ " RETURNING 1), "
							+ "r AS (DELETE FROM runs x USING batch b WHERE x.org_id = b.org_id AND x.run_id = b.run_id"
							+ " RETURNING 1) "
							+ "SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM c) + (SELECT count(*) FROM t)")) {
						counts.next();
						runs = counts.getInt(1);
						deleted += runs + counts.getLong(2);
					}
				}
				while (runs == runsPerBatch);
				double deleteSeconds = (System.nanoTime() - started) / 1e9;
				long deleteWal = walPosition(sql) - wal;
				Sizes afterDelete = Sizes.of(sql);
				started = System.nanoTime();
				sql.execute("VACUUM " + String.join(", ", TABLES));
				double vacuumSeconds = (System.nanoTime() - started) / 1e9;
				Sizes afterVacuum = Sizes.of(sql);

				load(sql, expiring, runsPerDay, calls, tools);
				Sizes beforeDrop = Sizes.of(sql);
				wal = walPosition(sql);
				started = System.nanoTime();
				LocalDate week = Expiry.partitionWeek(expiry(expiring));
				for (String table : TABLES) {
					String partition = table + "_expire_" + week.toString().replace("-", "");
					sql.execute("ALTER TABLE " + table + " DETACH PARTITION " + partition + " CONCURRENTLY");
					sql.execute("DROP TABLE " + partition);
				}
				double dropSeconds = (System.nanoTime() - started) / 1e9;
				long dropWal = walPosition(sql) - wal;
				Sizes afterDrop = Sizes.of(sql);

				System.out.printf("%nexpire one day (%,d rows):%n", deleted);
				System.out.printf("  batched DELETE: %8.1f s, WAL %,d MB, then VACUUM %.1f s%n", deleteSeconds,
						deleteWal >> 20, vacuumSeconds);
				System.out.printf("  partition drop: %8.3f s, WAL %,d kB (ratio %.0fx faster, %.0fx less WAL)%n",
						dropSeconds, dropWal >> 10, deleteSeconds / dropSeconds, (double) deleteWal / dropWal);
				System.out.printf("%nsize (heap + indexes, MB)      %s%n", Sizes.header());
				System.out.printf("  before DELETE                %s%n", before);
				System.out.printf("  after DELETE                 %s%n", afterDelete);
				System.out.printf("  after DELETE and VACUUM      %s%n", afterVacuum);
				System.out.printf("  before the drop              %s%n", beforeDrop);
				System.out.printf("  after the drop               %s%n", afterDrop);
			}
		}
	}

	private static LocalDate expiry(LocalDate started) {
		return Expiry.of(started.atStartOfDay(ZoneOffset.UTC).toInstant(), 90);
	}

	/** One day of the org's runs, calls and tool uses, as the projector writes them. */
	private static long load(Statement sql, LocalDate day, int runs, int calls, int tools) throws SQLException {
		String expires = "date '" + expiry(day) + "'";
		String start = "timestamptz '" + day + "T00:00:00Z' + ((i - 1) * 86400.0 / " + runs + ") * interval '1 second'";
		sql.execute("INSERT INTO runs (org_id, run_id, workflow_name, started_at, status, ended_at, duration_ms, "
				+ "cost_usd, input_tokens, output_tokens, total_tokens, llm_call_count, tool_use_count, expires_on) "
				+ "SELECT '" + ORG + "', md5('" + day + ":' || i)::uuid, 'workflow-' || (i % 50), " + start
				+ ", 'success', " + start + " + interval '30 seconds', 30000, 0.08, 8000, 800, 8800, " + calls + ", "
				+ tools + ", " + expires + " FROM generate_series(1, " + runs + ") AS i");
		sql.execute("INSERT INTO run_keys (org_id, run_id, expires_on) SELECT '" + ORG + "', md5('" + day
				+ ":' || i)::uuid, " + expires + " FROM generate_series(1, " + runs + ") AS i ON CONFLICT DO NOTHING");
		sql.execute("INSERT INTO llm_calls (org_id, call_id, run_id, model, provider, input_tokens, output_tokens, "
				+ "cost_usd, latency_ms, status, started_at, expires_on) SELECT '" + ORG + "', md5('" + day
				+ ":' || i || ':c' || c)::uuid, md5('" + day + ":' || i)::uuid, 'gpt-4o', 'openai', 1000, 100, "
				+ "0.01, 900, 'success', " + start + " + c * interval '1 second', " + expires
				+ " FROM generate_series(1, " + runs + ") AS i, generate_series(1, " + calls + ") AS c");
		sql.execute("INSERT INTO tool_uses (org_id, tool_event_id, run_id, tool_name, status, duration_ms, "
				+ "started_at, expires_on) SELECT '" + ORG + "', md5('" + day + ":' || i || ':t' || t)::uuid, md5('"
				+ day + ":' || i)::uuid, 'search', 'success', 40, " + start + " + t * interval '2 seconds', " + expires
				+ " FROM generate_series(1, " + runs + ") AS i, generate_series(1, " + tools + ") AS t");
		sql.execute("CHECKPOINT");
		return (long) runs * (1 + calls + tools);
	}

	private static long walPosition(Statement sql) throws SQLException {
		try (ResultSet rows = sql.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
		}
		return options;
	}

	/** Heap and index megabytes of runs, llm_calls and tool_uses, all partitions. */
	private record Sizes(Map<String, long[]> tables) {

		static Sizes of(Statement sql) throws SQLException {
			Map<String, long[]> tables = new LinkedHashMap<>();
			for (String table : TABLES) {
				try (ResultSet rows = sql.executeQuery("SELECT coalesce(sum(pg_table_size(relid)), 0), "
						+ "coalesce(sum(pg_indexes_size(relid)), 0) FROM pg_partition_tree('" + table
						+ "') WHERE isleaf")) {
					rows.next();
					tables.put(table, new long[] { rows.getLong(1), rows.getLong(2) });
				}
			}
			return new Sizes(tables);
		}

		private static String megabytes(long bytes) {
			return String.format("%.1f", bytes / 1048576.0);
		}

		static String header() {
			StringBuilder line = new StringBuilder();
			for (String table : TABLES) {
				line.append(String.format("%-22s", table + " (heap+idx)"));
			}
			return line.toString();
		}

		@Override
		public String toString() {
			StringBuilder line = new StringBuilder();
			this.tables.values()
				.forEach(size -> line.append(String.format("%-22s", megabytes(size[0]) + " + " + megabytes(size[1]))));
			return line.toString();
		}

	}

}
