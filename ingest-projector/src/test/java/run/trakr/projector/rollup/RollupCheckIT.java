package run.trakr.projector.rollup;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.projectortest.support.ProjectorInstance;
import run.trakr.schema.jooq.tables.records.WorkflowRollupsRecord;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.WORKFLOW_ROLLUPS;

/**
 * {@code verify} as an operator runs it on a live system: scoped to an org or to days,
 * and never waiting for (or holding back) the projection's batches.
 */
@ExtendWith(LocalStackExtension.class)
class RollupCheckIT {

	@Test
	void verifyIsScopedAndRunsBesideABatchInFlight(LocalStack stack) throws Exception {
		IngestPopulation population = IngestPopulation.generate(77, 300);
		String topic = ProjectorInstance.newTopic(stack, 2);
		String database = stack.createDatabase();
		try (ProjectorInstance projector = ProjectorInstance.start(stack, topic, database)) {
			Map<Integer, Long> ends = ProjectorInstance.publish(stack, topic, population.shuffled(3));
			await().atMost(Duration.ofSeconds(60)).until(() -> projector.caughtUpWith(ends));
			DSLContext db = projector.db();
			WorkflowRollupsRecord corrupted = db.selectFrom(WORKFLOW_ROLLUPS)
				.where(WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(86400))
				.limit(1)
				.fetchOne();
			db.update(WORKFLOW_ROLLUPS)
				.set(WORKFLOW_ROLLUPS.RUN_COUNT, WORKFLOW_ROLLUPS.RUN_COUNT.plus(1))
				.where(WORKFLOW_ROLLUPS.ORG_ID.eq(corrupted.getOrgId()))
				.and(WORKFLOW_ROLLUPS.WORKFLOW_NAME.eq(corrupted.getWorkflowName()))
				.and(WORKFLOW_ROLLUPS.BUCKET_SECONDS.eq(86400))
				.and(WORKFLOW_ROLLUPS.BUCKET_START.eq(corrupted.getBucketStart()))
				.and(WORKFLOW_ROLLUPS.SHARD.eq(corrupted.getShard()))
				.execute();
			UUID org = corrupted.getOrgId();
			UUID otherOrg = population.orgs().stream().filter(o -> !o.equals(org)).findFirst().orElseThrow();
			Instant day = corrupted.getBucketStart().toInstant();

			ByteArrayOutputStream output = new ByteArrayOutputStream();
			RollupCheckCommand verify = new RollupCheckCommand(new PrintStream(output, true, StandardCharsets.UTF_8),
					Map.of("SPRING_DATASOURCE_URL", database, "SPRING_DATASOURCE_USERNAME", stack.postgresUser(),
							"SPRING_DATASOURCE_PASSWORD", stack.postgresPassword()));
			assertThat(verify.run("--org", otherOrg.toString())).as("another org").isZero();
			assertThat(verify.run("--org", org.toString())).isEqualTo(1);
			assertThat(verify.run("--from", day.plus(Duration.ofDays(1)).toString(), "--to",
					day.plus(Duration.ofDays(2)).toString()))
				.as("the next day")
				.isZero();
			output.reset();
			assertThat(verify.run("--from", day.plus(Duration.ofHours(6)).toString(), "--to",
					day.plus(Duration.ofHours(7)).toString()))
				.as("an hour of the day, widened to the day")
				.isEqualTo(1);
			assertThat(output.toString(StandardCharsets.UTF_8)).contains("1 rollup bucket(s) differ",
					corrupted.getWorkflowName());

			// A batch in flight holds its partitions' offset rows: verify must not wait.
			try (Connection batch = DriverManager.getConnection(database, stack.postgresUser(),
					stack.postgresPassword())) {
				batch.setAutoCommit(false);
				batch.createStatement().execute("SELECT * FROM projector_offsets FOR UPDATE");
				CompletableFuture<Integer> check = CompletableFuture.supplyAsync(() -> verify.run());
				assertThat(check.get(30, TimeUnit.SECONDS)).isEqualTo(1);
				batch.rollback();
			}

			output.reset();
			assertThat(verify.run("--org", org.toString(), "--repair")).isZero();
			assertThat(output.toString(StandardCharsets.UTF_8)).contains("Repaired: rewrote 1 rollup bucket(s)");
			assertThat(RollupCheck.verify(db)).isEmpty();
		}
	}

}
