package run.trakr.projector.retention;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projectortest.support.ExpectedProjection;
import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The copy-and-replay upgrade of docs/retention.md, which a running system survives: a
 * snapshot of a live pre-partitioning (V9) database, taken while its projector writes, is
 * migrated by the new release's projector at start (V10 partitions the copied rows) and
 * caught up from the offsets the snapshot holds, in a consumer group of its own, while
 * the old projector goes on. It ends with every run, call, tool use and rollup of the old
 * database, each run expiring as its org's plan says.
 */
@ExtendWith(LocalStackExtension.class)
class CopyAndReplayMigrationIT {

	@Test
	void aSnapshotOfALiveV9DatabaseMigratesAndCatchesUpExactly(LocalStack stack) throws Exception {
		// Recent runs, so that the plans' default horizons keep them whatever today is.
		IngestPopulation population = IngestPopulation.generate(17L, 150,
				Instant.now().minus(Duration.ofDays(9)).truncatedTo(ChronoUnit.DAYS));
		List<IngestPopulation.Record> records = population.shuffled(3);
		int split = records.size() * 2 / 3;
		String topic = ProjectorInstance.newTopic(stack, 4);
		String live = stack.createDatabase();
		String copy = stack.createDatabase();
		Flyway.configure()
			.dataSource(copy, stack.postgresUser(), stack.postgresPassword())
			.locations("classpath:db/migration")
			.target("9")
			.load()
			.migrate();
		try (ProjectorInstance old = ProjectorInstance.start(stack, topic, live)) {
			List<UUID> orgs = population.orgs();
			old.db()
				.execute("INSERT INTO organizations (org_id, name, plan) VALUES (?, 'Small', 'starter'), "
						+ "(?, 'Medium', 'pro')", orgs.get(0), orgs.get(1));
			Map<Integer, Long> ends = new HashMap<>(ProjectorInstance.publish(stack, topic, records.subList(0, split)));
			// Taken while the old projector is still working through the first part.
			await().atMost(Duration.ofSeconds(30)).until(() -> old.db().fetchCount(DSL.table("runs")) > 0);
			snapshot(stack, live, copy);
			ProjectorInstance.publish(stack, topic, records.subList(split, records.size()))
				.forEach((partition, end) -> ends.merge(partition, end, Math::max));
			await().atMost(Duration.ofSeconds(60)).until(() -> old.caughtUpWith(ends));

			long copiedRuns;
			try (Connection connection = DriverManager.getConnection(copy, stack.postgresUser(),
					stack.postgresPassword())) {
				DSLContext snapshot = DSL.using(connection, SQLDialect.POSTGRES);
				copiedRuns = snapshot.fetchCount(DSL.table("runs"));
				assertThat(snapshot.fetchValue("SELECT max(version::int) FROM flyway_schema_history")).isEqualTo(9);
				assertThat(snapshot.fetchCount(DSL.table("projector_offsets"))).isPositive();
			}

			try (ProjectorInstance upgraded = ProjectorInstance.start(stack, topic, copy,
					Map.of("spring.kafka.consumer.group-id", "upgraded-" + topic))) {
				await().atMost(Duration.ofSeconds(90)).until(() -> upgraded.caughtUpWith(ends));

				ExpectedProjection.assertProjected(upgraded.db(), population);
				assertThat(copiedRuns).as("runs the copy held before it was migrated").isPositive();
				// Where every run lives and when it goes, and every rollup bucket, as in
				// the old database (revisions are numbered per database: not compared).
				for (String table : List.of("run_keys", "runs", "workflow_rollups", "tool_rollups")) {
					String columns = String.join(", ", comparedColumns(old.db(), table));
					String query = "SELECT " + columns + " FROM " + table + " ORDER BY " + columns;
					assertThat(upgraded.db().fetch(query).formatCSV()).as(table)
						.isEqualTo(old.db().fetch(query).formatCSV());
				}
				assertThat(upgraded.db()
					.fetchOne("""
							SELECT count(*) FROM run_keys k JOIN organizations o USING (org_id)
							JOIN retention_plans p USING (plan) JOIN runs r USING (org_id, run_id, expires_on)
							WHERE k.expires_on = (r.started_at AT TIME ZONE 'UTC')::date + p.raw_days + 1""")
					.get(0, Long.class)).isEqualTo(population.expectedRuns().size());
				// docs/retention.md's check before the switch: no admin change missed.
				String adminChanges = """
						SELECT (SELECT md5(string_agg(org_id || plan, ',' ORDER BY org_id)) FROM organizations),
						       (SELECT md5(string_agg(token_id || coalesce(revoked_at::text, '-'), ',' ORDER BY token_id))
						        FROM api_tokens)""";
				assertThat(upgraded.db().fetch(adminChanges).formatCSV()).contains(",")
					.isEqualTo(old.db().fetch(adminChanges).formatCSV());
			}
		}
	}

	/** Every column but the ones a database numbers or stamps itself. */
	private static List<String> comparedColumns(DSLContext db, String table) {
		return db.fetch("""
				SELECT column_name FROM information_schema.columns
				WHERE table_schema = 'public' AND table_name = ?
				  AND column_name NOT IN ('revision', 'updated_at')
				ORDER BY ordinal_position""", table).getValues(0, String.class);
	}

	/**
	 * What {@code pg_dump} and {@code pg_restore} do to a live database (the machine's
	 * pg_dump is older than the stack's server, which it refuses): every table as of one
	 * snapshot, the columns the copy's schema has, and the sequences' positions.
	 */
	private static void snapshot(LocalStack stack, String from, String to) throws SQLException {
		try (Connection source = DriverManager.getConnection(from, stack.postgresUser(), stack.postgresPassword());
				Connection target = DriverManager.getConnection(to, stack.postgresUser(), stack.postgresPassword())) {
			source.setAutoCommit(false);
			source.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
			source.setReadOnly(true);
			target.setAutoCommit(false);
			DSLContext into = DSL.using(target, SQLDialect.POSTGRES);
			DSLContext out = DSL.using(source, SQLDialect.POSTGRES);
			// Foreign keys are checked by the source; the copy's tables fill in any
			// order.
			into.execute("SET session_replication_role = replica");
			CopyManager reader = source.unwrap(PGConnection.class).getCopyAPI();
			CopyManager writer = target.unwrap(PGConnection.class).getCopyAPI();
			List<String> tables = into.fetch("""
					SELECT table_name FROM information_schema.tables
					WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
					  AND table_name <> 'flyway_schema_history'""").getValues(0, String.class);
			for (String table : tables) {
				String columns = String.join(", ", into.fetch("""
						SELECT quote_ident(column_name) FROM information_schema.columns
						WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position""", table)
					.getValues(0, String.class));
				ByteArrayOutputStream rows = new ByteArrayOutputStream();
				try {
					reader.copyOut("COPY (SELECT " + columns + " FROM " + table + ") TO STDOUT", rows);
					writer.copyIn("COPY " + table + " (" + columns + ") FROM STDIN",
							new ByteArrayInputStream(rows.toByteArray()));
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
			for (String sequence : into.fetch("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
				.getValues(0, String.class)) {
				Long position = out.fetchOne("SELECT last_value FROM pg_sequences WHERE sequencename = ?", sequence)
					.get(0, Long.class);
				if (position != null) {
					into.execute("SELECT setval(?, ?)", sequence, position);
				}
			}
			target.commit();
			source.commit();
		}
	}

}
