package run.trakr.schema.migration;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
			"projector_offsets", "dead_letters");

	@Test
	void migrationsApplyToAnEmptyDatabase(LocalStack stack) throws SQLException {
		String url = stack.createDatabase();

		MigrateResult result = flyway(url, stack).migrate();

		assertThat(result.success).isTrue();
		// V1 to V9.
		assertThat(result.migrationsExecuted).isEqualTo(9);
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
			if (table.getName().equals("projector_offsets") || table.getName().equals("dead_letters")) {
				continue; // the projector's own position and undecodable records: no org
							// to key by
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
			.filter(table -> !table.getName().equals("flyway_schema_history"))
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
