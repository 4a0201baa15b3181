package run.trakr.projector.offset;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.JavaProcess;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.schematest.support.IngestPopulation;
import run.trakr.projectortest.support.ExpectedProjection;
import run.trakr.projectortest.support.ProjectorInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;

/**
 * The projector as its own process, killed with SIGKILL at random moments while events
 * flow, and restarted: the read models must still equal the generated runs exactly.
 */
@ExtendWith(LocalStackExtension.class)
class CrashIT {

	@Test
	void killingTheProjectorHardAgainAndAgainLosesAndDoublesNothing(LocalStack stack) throws Exception {
		IngestPopulation population = IngestPopulation.generate(4242L, 250);
		List<IngestPopulation.Record> records = population.shuffled(9);
		String topic = ProjectorInstance.newTopic(stack, 3);
		String database = stack.createDatabase();
		Random random = new Random(1);
		Map<Integer, Long> ends = new HashMap<>();
		int chunk = records.size() / 4;
		int kills = 0;
		org.flywaydb.core.Flyway.configure()
			.dataSource(database, stack.postgresUser(), stack.postgresPassword())
			.locations("classpath:db/migration")
			.load()
			.migrate();
		try (DSLContextHolder db = new DSLContextHolder(database, stack)) {
			for (int i = 0; i < 4; i++) {
				Process projector = launch(stack, topic, database, i);
				merge(ends, ProjectorInstance.publish(stack, topic,
						records.subList(i * chunk, (i == 3) ? records.size() : (i + 1) * chunk)));
				// Kill once it is projecting: after it has moved some offset, at a random
				// moment.
				long before = projected(db.db(), topic);
				await().atMost(Duration.ofSeconds(60)).until(() -> projected(db.db(), topic) > before);
				Thread.sleep(random.nextInt(400));
				projector.destroyForcibly().waitFor();
				kills++;
			}
			Process last = launch(stack, topic, database, 4);
			try {
				await().atMost(Duration.ofSeconds(120)).until(() -> caughtUp(db.db(), topic, ends));
			}
			finally {
				JavaProcess.stop(last);
			}
			assertThat(kills).isEqualTo(4);
			ExpectedProjection.assertProjected(db.db(), population);
		}
	}

	private static Process launch(LocalStack stack, String topic, String database, int attempt) throws IOException {
		Map<String, String> properties = ProjectorInstance.properties(stack, topic, database);
		properties.put("spring.kafka.consumer.max-poll-records", "100");
		// A killed member holds its partitions until its session expires: keep that short
		// here.
		properties.put("spring.kafka.consumer.properties.session.timeout.ms", "6000");
		properties.put("spring.kafka.consumer.heartbeat-interval", "1s");
		return JavaProcess.packaged(Path.of(""), "ingest-projector")
			.builder(List.of("-Xmx512m"), Map.of(), JavaProcess.springArguments(properties))
			.redirectErrorStream(true)
			.redirectOutput(new File("target/crash-" + attempt + ".log"))
			.start();
	}

	private static long projected(DSLContext db, String topic) {
		Long sum = db.select(DSL.sum(PROJECTOR_OFFSETS.NEXT_OFFSET))
			.from(PROJECTOR_OFFSETS)
			.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
			.fetchOne(0, Long.class);
		return (sum != null) ? sum : 0;
	}

	private static boolean caughtUp(DSLContext db, String topic, Map<Integer, Long> ends) {
		Map<Integer, Long> stored = db.select(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET)
			.from(PROJECTOR_OFFSETS)
			.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
			.fetchMap(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET);
		return ends.entrySet().stream().allMatch(e -> stored.getOrDefault(e.getKey(), 0L) >= e.getValue());
	}

	private static void merge(Map<Integer, Long> ends, Map<Integer, Long> more) {
		more.forEach((partition, end) -> ends.merge(partition, end, Math::max));
	}

	/**
	 * A plain connection to the test's database, independent of the projector processes.
	 */
	private record DSLContextHolder(java.sql.Connection connection) implements AutoCloseable {

		DSLContextHolder(String url, LocalStack stack) throws java.sql.SQLException {
			this(java.sql.DriverManager.getConnection(url, stack.postgresUser(), stack.postgresPassword()));
		}

		DSLContext db() {
			return DSL.using(this.connection, SQLDialect.POSTGRES);
		}

		@Override
		public void close() throws java.sql.SQLException {
			this.connection.close();
		}

	}

}
