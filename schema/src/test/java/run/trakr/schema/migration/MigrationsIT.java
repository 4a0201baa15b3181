package run.trakr.schema.migration;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Named;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import run.trakr.schema.jooq.DefaultSchema;
import run.trakr.schema.jooq.tables.records.OrganizationsRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static run.trakr.schema.jooq.Tables.API_TOKENS;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

@ExtendWith(LocalStackExtension.class)
class MigrationsIT {

	private static final List<String> TABLES = List.of("organizations", "api_tokens", "runs", "llm_calls", "tool_uses",
			"alert_events", "workflow_rollups", "tool_rollups", "rollup_revisions", "org_revisions",
			"projector_offsets", "dead_letters", "retention_plans", "run_keys");

	/** Partitions of runs, llm_calls and tool_uses (reached through their parents). */
	private static final String PARTITION = ".*_expire_(never|\\d{8})";

	@Test
	void migrationsApplyToAnEmptyDatabase(LocalStack stack) throws SQLException {
		String url = stack.createDatabase();

		MigrateResult result = flyway(url, stack).migrate();

		assertThat(result.success).isTrue();
		// V1 to V12.
		assertThat(result.migrationsExecuted).isEqualTo(12);
		try (Connection connection = connect(url, stack)) {
			assertThat(liveTables(connection).keySet()).containsExactlyInAnyOrderElementsOf(TABLES);
		}
	}

	@Test
	void applyingMigrationsTwiceChangesNothing(LocalStack stack) throws SQLException {
		String url = stack.createDatabase();
		flyway(url, stack).migrate();
		String before = schemaDump(url, stack);

		MigrateResult again = flyway(url, stack).migrate();

		assertThat(again.migrationsExecuted).isZero();
		assertThat(schemaDump(url, stack)).isEqualTo(before);
	}

	@Test
	void generatedJooqCodeMatchesTheMigratedDatabase(LocalStack stack) throws SQLException {
		String url = stack.createDatabase();
		flyway(url, stack).migrate();
		try (Connection connection = connect(url, stack)) {
			Map<String, Table<?>> live = liveTables(connection);
			Map<String, Table<?>> generated = DefaultSchema.DEFAULT_SCHEMA.getTables()
				.stream()
				.collect(Collectors.toMap(Named::getName, Function.identity()));
			assertThat(generated.keySet()).containsExactlyInAnyOrderElementsOf(live.keySet());
			for (String name : live.keySet()) {
				assertThat(describe(generated.get(name))).as(name).isEqualTo(describe(live.get(name)));
				assertThat(generated.get(name).getPrimaryKey().getFields().stream().map(Field::getName).toList())
					.as(name + " primary key")
					.isEqualTo(live.get(name).getPrimaryKey().getFields().stream().map(Field::getName).toList());
			}
		}
	}

	@Test
	void everyOrganizationTableIsKeyedByOrgIdFirst() {
		for (Table<?> table : DefaultSchema.DEFAULT_SCHEMA.getTables()) {
			if (List.of("projector_offsets", "dead_letters", "retention_plans").contains(table.getName())) {
				continue; // the projector's own position, undecodable records and the
							// plans' defaults: no org to key by
			}
			assertThat(table.getPrimaryKey().getFields().get(0).getName()).as(table.getName()).isEqualTo("org_id");
		}
	}

	@Test
	void generatedCodeReadsAndWritesTheMigratedDatabase(LocalStack stack) throws SQLException {
		String url = stack.createDatabase();
		flyway(url, stack).migrate();
		try (Connection connection = connect(url, stack)) {
			DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
			UUID org = UUID.randomUUID();
			db.insertInto(ORGANIZATIONS)
				.set(ORGANIZATIONS.ORG_ID, org)
				.set(ORGANIZATIONS.NAME, "Acme")
				.set(ORGANIZATIONS.PLAN, "pro")
				.execute();
			db.insertInto(WORKFLOW_ROLLUPS)
				.set(WORKFLOW_ROLLUPS.ORG_ID, org)
				.set(WORKFLOW_ROLLUPS.WORKFLOW_NAME, "triage")
				.set(WORKFLOW_ROLLUPS.BUCKET_SECONDS, 3600)
				.set(WORKFLOW_ROLLUPS.BUCKET_START, OffsetDateTime.parse("2026-11-28T14:00:00Z"))
				.set(WORKFLOW_ROLLUPS.SHARD, 0)
				.set(WORKFLOW_ROLLUPS.COST_TOTAL, new java.math.BigDecimal("0.0000125"))
				.set(WORKFLOW_ROLLUPS.COST_BINS, new Integer[] { -3, 7 })
				.set(WORKFLOW_ROLLUPS.COST_COUNTS, new Long[] { 2L, 5L })
				.execute();

			OrganizationsRecord stored = db.selectFrom(ORGANIZATIONS).where(ORGANIZATIONS.ORG_ID.eq(org)).fetchOne();
			assertThat(stored.getPlan()).isEqualTo("pro");
			var rollup = db.selectFrom(WORKFLOW_ROLLUPS).where(WORKFLOW_ROLLUPS.ORG_ID.eq(org)).fetchOne();
			assertThat(rollup.getCostTotal()).isEqualByComparingTo("0.0000125");
			assertThat(Arrays.asList(rollup.getCostBins())).containsExactly(-3, 7);
			assertThat(rollup.getRunCount()).isZero();

			assertThatThrownBy(() -> db.insertInto(ORGANIZATIONS)
				.set(ORGANIZATIONS.ORG_ID, UUID.randomUUID())
				.set(ORGANIZATIONS.NAME, "Bad")
				.set(ORGANIZATIONS.PLAN, "enterprise")
				.execute()).hasMessageContaining("organizations_plan_check");
			assertThatThrownBy(() -> db.insertInto(API_TOKENS)
				.set(API_TOKENS.ORG_ID, org)
				.set(API_TOKENS.TOKEN_ID, UUID.randomUUID())
				.set(API_TOKENS.TOKEN_HASH, "not-a-hash")
				.set(API_TOKENS.PREFIX, "tk_read_abcd")
				.set(API_TOKENS.NAME, "x")
				.set(API_TOKENS.CREATED_BY, "test")
				.execute()).hasMessageContaining("api_tokens_hash_is_sha256_hex");
		}
	}

	/**
	 * V10 partitions the raw tables of a database that has data: every row is kept, each
	 * with the expiry of its run (started day + the org's raw days + 1; never for a run
	 * not started or an org not registered), in the partition of its week.
	 */
	@Test
	void partitioningKeepsEveryRowOfAPopulatedDatabase(LocalStack stack) throws SQLException {
		String url = stack.createDatabase();
		Flyway.configure()
			.dataSource(url, stack.postgresUser(), stack.postgresPassword())
			.locations("classpath:db/migration")
			.target("9")
			.load()
			.migrate();
		UUID registered = UUID.randomUUID();
		UUID unregistered = UUID.randomUUID();
		UUID started = UUID.randomUUID();
		UUID pending = UUID.randomUUID();
		UUID elsewhere = UUID.randomUUID();
		UUID child = UUID.randomUUID();
		try (Connection connection = connect(url, stack)) {
			DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
			db.execute("INSERT INTO organizations (org_id, name, plan) VALUES (?, 'Acme', 'pro')", registered);
			db.execute("""
					INSERT INTO runs (org_id, run_id, workflow_name, started_at, cost_usd, llm_call_count)
					VALUES (?, ?, 'triage', '2026-11-28T23:30:00Z', 0.5, 1), (?, ?, null, null, 0.25, 1),
					       (?, ?, 'triage', '2026-11-28T23:30:00Z', 0, 0)""", registered, started, registered, pending,
					unregistered, elsewhere);
			// A child started before its parent (another service's clock).
			db.execute("""
					INSERT INTO runs (org_id, run_id, workflow_name, started_at, parent_run_id)
					VALUES (?, ?, 'triage', '2026-11-28T23:29:00Z', ?)""", registered, child, started);
			for (UUID run : List.of(started, pending)) {
				db.execute("""
						INSERT INTO llm_calls (org_id, call_id, run_id, model, input_tokens, output_tokens, cost_usd,
						                       latency_ms, status, started_at)
						VALUES (?, ?, ?, 'gpt', 1, 2, 0.5, 10, 'success', '2026-11-29T00:10:00Z')""", registered,
						UUID.randomUUID(), run);
			}
			db.execute("""
					INSERT INTO tool_uses (org_id, tool_event_id, run_id, tool_name, status, duration_ms, started_at)
					VALUES (?, ?, ?, 'search', 'success', 40, '2026-11-29T00:10:00Z')""", registered, UUID.randomUUID(),
					started);
		}

		flyway(url, stack).migrate();

		try (Connection connection = connect(url, stack)) {
			DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
			// Started 2026-11-28 (UTC), pro keeps 90 days: gone from 2026-02-27 on.
			String expiry = "2027-02-27";
			assertThat(db.fetch("SELECT run_id, expires_on::text, tableoid::regclass::text, cost_usd FROM runs")
				.intoMap(r -> r.get(0, UUID.class), r -> r.get(1, String.class) + " " + r.get(2, String.class)))
				.containsOnly(Map.entry(started, expiry + " runs_expire_20270222"),
						Map.entry(child, expiry + " runs_expire_20270222"),
						Map.entry(pending, "9999-12-31 runs_expire_never"),
						Map.entry(elsewhere, "9999-12-31 runs_expire_never"));
			assertThat(db.fetch("SELECT run_id, expires_on::text, tableoid::regclass::text FROM llm_calls")
				.intoMap(r -> r.get(0, UUID.class), r -> r.get(1, String.class) + " " + r.get(2, String.class)))
				.containsOnly(Map.entry(started, expiry + " llm_calls_expire_20270222"),
						Map.entry(pending, "9999-12-31 llm_calls_expire_never"));
			assertThat(db.fetchValue("SELECT expires_on::text FROM tool_uses")).isEqualTo(expiry);
			assertThat(db.fetch("SELECT run_id, expires_on::text FROM run_keys")
				.intoMap(r -> r.get(0, UUID.class), r -> r.get(1, String.class)))
				.containsOnly(Map.entry(started, expiry), Map.entry(child, expiry), Map.entry(pending, "9999-12-31"),
						Map.entry(elsewhere, "9999-12-31"));
			// V11: the child's key names its parent; no other key has one.
			assertThat(db.fetch("SELECT run_id, parent_run_id FROM run_keys WHERE parent_run_id IS NOT NULL")
				.intoMap(r -> r.get(0, UUID.class), r -> r.get(1, UUID.class))).containsOnly(Map.entry(child, started));
			assertThat(db.fetchOne("SELECT sum(cost_usd) FROM runs").get(0, java.math.BigDecimal.class))
				.isEqualByComparingTo("0.75");
		}
	}

	/**
	 * The admin CLI, a starting projector and its consumer threads make partitions at the
	 * same moment: each call succeeds and every week has its three partitions once.
	 */
	@Test
	void callersCreatingTheSamePartitionsAtOnceAllSucceed(LocalStack stack) throws Exception {
		String url = stack.createDatabase();
		flyway(url, stack).migrate();
		int callers = 4;
		ExecutorService pool = Executors.newFixedThreadPool(callers);
		try {
			CyclicBarrier together = new CyclicBarrier(callers);
			List<Future<Integer>> made = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				made.add(pool.submit(() -> {
					try (Connection connection = connect(url, stack)) {
						connection.setAutoCommit(false);
						DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
						together.await();
						int count = db.fetchOne("SELECT create_expiry_partitions('2031-01-06', '2032-02-29')")
							.get(0, Integer.class);
						connection.commit();
						return count;
					}
				}));
			}
			int total = 0;
			for (Future<Integer> call : made) {
				total += call.get(60, TimeUnit.SECONDS);
			}
			// 2031-01-06 to 2032-02-23 (Mondays): 60 weeks, three tables each, made once.
			assertThat(total).isEqualTo(180);
		}
		finally {
			pool.shutdownNow();
		}
		try (Connection connection = connect(url, stack)) {
			DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
			assertThat(db.fetchOne("""
					SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
					WHERE c.relkind = 'r' AND c.relname ~ '_expire_203[12]'""").get(0, Long.class)).isEqualTo(180L);
		}
	}

	private static List<String> describe(Table<?> table) {
		return Arrays.stream(table.fields())
			.map(field -> field.getName() + " " + field.getDataType().getSQLDataType().getTypeName()
					+ (field.getDataType().nullable() ? " null" : " not null"))
			.toList();
	}

	private static Map<String, Table<?>> liveTables(Connection connection) {
		return DSL.using(connection, SQLDialect.POSTGRES)
			.meta()
			.getSchemas("public")
			.get(0)
			.getTables()
			.stream()
			.filter(table -> !table.getName().equals("flyway_schema_history") && !table.getName().matches(PARTITION))
			.collect(Collectors.toMap(Named::getName, Function.identity()));
	}

	private static String schemaDump(String url, LocalStack stack) throws SQLException {
		try (Connection connection = connect(url, stack)) {
			DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
			String columns = db.fetch("""
					SELECT table_name, column_name, data_type, is_nullable, column_default
					FROM information_schema.columns WHERE table_schema = 'public'
					ORDER BY table_name, ordinal_position""").formatCSV();
			String indexes = db
				.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")
				.formatCSV();
			String constraints = db.fetch("""
					SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
					WHERE connamespace = 'public'::regnamespace ORDER BY 1""").formatCSV();
			return columns + indexes + constraints;
		}
	}

	private static Flyway flyway(String url, LocalStack stack) {
		return Flyway.configure()
			.dataSource(url, stack.postgresUser(), stack.postgresPassword())
			.locations("classpath:db/migration")
			.load();
	}

	private static Connection connect(String url, LocalStack stack) throws SQLException {
		return DriverManager.getConnection(url, stack.postgresUser(), stack.postgresPassword());
	}

}
