package run.trakr.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Generates the read benchmark's data set inside PostgreSQL: runs, calls, tools and
 * alerts by {@code INSERT … SELECT generate_series} (no rows cross the network), then
 * every rollup recomputed from the rows by SQL with the projector's bin mapping. Indexes
 * and primary keys are dropped for the load and rebuilt afterwards, which is several
 * times faster than maintaining them row by row.
 */
final class BenchDataset {

	/** One organization's share of the data set. */
	record Org(UUID orgId, String name, String plan, long runs, int workflows) {
	}

	private static final List<String> TABLES = List.of("runs", "llm_calls", "tool_uses", "run_keys", "alert_events",
			"workflow_rollups", "tool_rollups", "rollup_revisions");

	static final int DAYS = 90;

	static final int DETAIL_EVERY = 100;

	private final String jdbcUrl;

	private final String user;

	private final String password;

	/** Phase name to seconds taken, in load order. */
	final Map<String, Double> timings = new LinkedHashMap<>();

	BenchDataset(String jdbcUrl, String user, String password) {
		this.jdbcUrl = jdbcUrl;
		this.user = user;
		this.password = password;
	}

	/**
	 * The id of run {@code i} of an org, as the SQL makes it: md5(org:i) read as a uuid.
	 */
	static UUID runId(UUID org, long i) {
		try {
			byte[] digest = java.security.MessageDigest.getInstance("MD5")
				.digest((org + ":" + i).getBytes(StandardCharsets.UTF_8));
			long high = 0;
			long low = 0;
			for (int b = 0; b < 8; b++) {
				high = (high << 8) | (digest[b] & 0xff);
				low = (low << 8) | (digest[b + 8] & 0xff);
			}
			return new UUID(high, low);
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	boolean isLoaded(UUID org) throws SQLException {
		try (Connection connection = connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement
					.executeQuery("SELECT count(*) FROM organizations WHERE org_id = '" + org + "'")) {
			rows.next();
			return rows.getLong(1) > 0;
		}
	}

	void load(List<Org> orgs, Instant end) throws Exception {
		List<String> rebuild;
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			rebuild = phase("drop indexes and keys", () -> dropIndexes(statement));
			for (Org org : orgs) {
				// With the horizon its runs are written under (as the projector records
				// it).
				statement.execute("INSERT INTO organizations (org_id, name, plan, raw_days_min, raw_days_max) "
						+ "SELECT '" + org.orgId() + "', '" + org.name() + "', plan, raw_days, raw_days "
						+ "FROM retention_plans WHERE plan = '" + org.plan() + "'");
			}
			// The weekly partitions the rows expire into, as the projector's retention
			// job
			// makes them.
			statement.execute("SELECT create_expiry_partitions(date '" + end.atOffset(ZoneOffset.UTC).toLocalDate()
					+ "' - " + DAYS + ", date '" + end.atOffset(ZoneOffset.UTC).toLocalDate()
					+ "' + (SELECT max(raw_days) FROM retention_plans) + 1)");
		}
		for (Org org : orgs) {
			phase("runs, calls, tools, alerts of " + org.name() + " (" + org.runs() + " runs)", () -> {
				// Two halves on two connections: generation is CPU-bound and this machine
				// has two cores.
				long half = org.runs() / 2;
				CompletableFuture<Void> first = CompletableFuture.runAsync(() -> loadRuns(org, 1, half, end));
				loadRuns(org, half + 1, org.runs(), end);
				first.join();
				return null;
			});
		}
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute("SET maintenance_work_mem = '1GB'");
			phase("rebuild indexes and keys", () -> {
				for (String ddl : rebuild) {
					statement.execute(ddl);
				}
				return null;
			});
			statement.execute("SET work_mem = '256MB'");
			phase("rollups (5 min, hour, day)", () -> {
				for (int level : new int[] { 300, 3600, 86400 }) {
					runScript(statement, "dataset-rollups.sql", Map.of("level", Integer.toString(level)));
				}
				return null;
			});
			phase("vacuum analyze", () -> {
				for (String table : TABLES) {
					statement.execute("VACUUM ANALYZE " + table);
				}
				return null;
			});
		}
	}

	private void loadRuns(Org org, long first, long last, Instant end) {
		Map<String, String> values = new LinkedHashMap<>();
		values.put("org", org.orgId().toString());
		values.put("runs", Long.toString(org.runs()));
		values.put("first", Long.toString(first));
		values.put("last", Long.toString(last));
		values.put("workflows", Integer.toString(org.workflows()));
		values.put("days", Integer.toString(DAYS));
		values.put("end", end.toString());
		values.put("detail_every", Integer.toString(DETAIL_EVERY));
		values.put("raw_days", "(SELECT raw_days FROM retention_plans WHERE plan = '" + org.plan() + "')");
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute("SELECT setseed(" + ((first % 1000) / 1000.0) + ")");
			statement.execute("SET work_mem = '256MB'");
			runScript(statement, "dataset-org.sql", values);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Loading runs " + first + ".." + last + " of " + org.name(), ex);
		}
	}

	/**
	 * Drops every secondary index and primary key of the data tables; returns the DDL
	 * that restores them.
	 */
	private static List<String> dropIndexes(Statement statement) throws SQLException {
		List<String> restore = new ArrayList<>();
		List<String> drop = new ArrayList<>();
		String tables = String.join("','", TABLES);
		try (ResultSet keys = statement.executeQuery(
				"SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'p'"
						+ " AND conrelid::regclass::text IN ('" + tables + "')")) {
			while (keys.next()) {
				drop.add("ALTER TABLE " + keys.getString(1) + " DROP CONSTRAINT " + keys.getString(2));
				restore.add("ALTER TABLE " + keys.getString(1) + " ADD CONSTRAINT " + keys.getString(2) + " "
						+ keys.getString(3));
			}
		}
		try (ResultSet indexes = statement.executeQuery("SELECT indexname, indexdef FROM pg_indexes"
				+ " WHERE schemaname = 'public' AND tablename IN ('" + tables + "') AND indexname NOT LIKE '%\\_pk'")) {
			while (indexes.next()) {
				drop.add("DROP INDEX " + indexes.getString(1));
				// A partitioned table's index is shown ON ONLY the parent; rebuilt so, it
				// would cover no partition.
				restore.add(indexes.getString(2).replace(" ON ONLY ", " ON "));
			}
		}
		for (String ddl : drop) {
			statement.execute(ddl);
		}
		return restore;
	}

	private static void runScript(Statement statement, String name, Map<String, String> values) throws SQLException {
		String sql = resource(name);
		for (Map.Entry<String, String> value : values.entrySet()) {
			sql = sql.replace("${" + value.getKey() + "}", value.getValue());
		}
		for (String part : sql.split(";\\s*\\n")) {
			if (!part.lines().allMatch(line -> line.isBlank() || line.strip().startsWith("--"))) {
				statement.execute(part);
			}
		}
	}

	private static String resource(String name) {
		try (InputStream in = BenchDataset.class.getResourceAsStream(name)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Connection connect() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.user, this.password);
	}

	private interface Phase<T> {

		T run() throws Exception;

	}

	private <T> T phase(String name, Phase<T> phase) throws Exception {
		long started = System.nanoTime();
		T result = phase.run();
		double seconds = (System.nanoTime() - started) / 1e9;
		this.timings.put(name, seconds);
		System.out.printf("load: %-55s %7.1f s%n", name, seconds);
		return result;
	}

}
