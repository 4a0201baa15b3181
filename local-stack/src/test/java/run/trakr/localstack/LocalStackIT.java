package run.trakr.localstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.junit.LocalStackExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LocalStackExtension.class)
class LocalStackIT {

	@Test
	void brokerDeliversEveryRecordAcrossPartitions(LocalStack stack) throws Exception {
		String topic = "spread-" + System.nanoTime();
		try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrapServers()))) {
			admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
		}
		Set<String> sent = new HashSet<>();
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(stack))) {
			for (int i = 0; i < 60; i++) {
				String value = "event-" + i;
				producer.send(new ProducerRecord<>(topic, "run-" + i, value)).get();
				sent.add(value);
			}
		}
		List<ConsumerRecord<String, String>> received = new ArrayList<>();
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(stack))) {
			consumer.subscribe(List.of(topic));
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (received.size() < sent.size() && System.nanoTime() < deadline) {
				consumer.poll(Duration.ofMillis(200)).forEach(received::add);
			}
		}
		assertThat(received).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
		assertThat(received.stream().map(ConsumerRecord::partition).collect(Collectors.toSet()))
			.containsExactlyInAnyOrder(0, 1, 2);
	}

	@Test
	void postgresAnswersQueriesAndCreatesEmptyDatabases(LocalStack stack) throws SQLException {
		try (Connection connection = connect(stack.jdbcUrl(), stack);
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE IF NOT EXISTS probe (id int primary key, name text)");
			statement.execute("INSERT INTO probe VALUES (1, 'one') ON CONFLICT DO NOTHING");
			try (ResultSet rows = statement
				.executeQuery("SELECT name, current_setting('server_version_num') FROM probe")) {
				assertThat(rows.next()).isTrue();
				assertThat(rows.getString(1)).isEqualTo("one");
				assertThat(rows.getInt(2)).isGreaterThanOrEqualTo(170000);
			}
		}
		try (Connection connection = connect(stack.createDatabase(), stack);
				Statement statement = connection.createStatement();
				ResultSet rows = statement
					.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
			rows.next();
			assertThat(rows.getInt(1)).isZero();
		}
	}

	@Test
	void redisRunsLuaScripts(LocalStack stack) {
		RedisClient client = RedisClient.create(stack.redisUrl());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			String script = "local n = redis.call('INCRBY', KEYS[1], ARGV[1]) redis.call('PEXPIRE', KEYS[1], 60000) return n";
			String key = "probe:" + System.nanoTime();
			Long first = connection.sync().eval(script, ScriptOutputType.INTEGER, new String[] { key }, "5");
			Long second = connection.sync().eval(script, ScriptOutputType.INTEGER, new String[] { key }, "7");
			assertThat(first).isEqualTo(5);
			assertThat(second).isEqualTo(12);
			assertThat(connection.sync().pttl(key)).isPositive();
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void aKafkaClusterKeepsEveryRecordWhenTheLeaderOfMostPartitionsStops(LocalStack stack) throws Exception {
		try (KafkaCluster cluster = stack.startKafkaCluster()) {
			String topic = "replicated-" + System.nanoTime();
			cluster.createTopic(topic, 3);
			Map<String, Object> producer = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
					ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
					ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
					ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
			List<String> sent = new ArrayList<>();
			int leader = cluster.leaderOfMostPartitions(topic);
			try (KafkaProducer<String, String> kafka = new KafkaProducer<>(producer)) {
				for (int i = 0; i < 200; i++) {
					if (i == 100) {
						cluster.stop(leader);
					}
					kafka.send(new ProducerRecord<>(topic, "run-" + i, "event-" + i)).get(60, TimeUnit.SECONDS);
					sent.add("event-" + i);
				}
			}
			assertThat(cluster.leaderOfMostPartitions(topic)).as("the leaders moved").isNotEqualTo(leader);
			cluster.restart(leader);
			List<String> received = new ArrayList<>();
			try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
					ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG,
					"probe-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
					ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
					ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
				consumer.subscribe(List.of(topic));
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
				while (received.size() < sent.size() && System.nanoTime() < deadline) {
					consumer.poll(Duration.ofMillis(200)).forEach(record -> received.add(record.value()));
				}
			}
			assertThat(received).as("every record once").containsExactlyInAnyOrderElementsOf(sent);
		}
	}

	@Test
	void aPostgresStandbyReplaysThePrimaryAndFallsBehindWhilePaused(LocalStack stack) throws SQLException {
		try (PostgresStandby standby = stack.startPostgresStandby()) {
			try (Connection primary = connect(stack.jdbcUrl(), stack);
					Connection replica = connect(standby.jdbcUrl(), stack);
					Statement writes = primary.createStatement();
					Statement reads = replica.createStatement()) {
				writes.execute("CREATE TABLE IF NOT EXISTS replicated (id int primary key)");
				writes.execute("INSERT INTO replicated VALUES (1)");
				standby.awaitCaughtUp(Duration.ofSeconds(30));
				assertThat(count(reads, "SELECT count(*) FROM pg_class WHERE relname = 'replicated'"))
					.as(standby.describe() + "; primary port " + stack.postgresPort() + ", on the primary: "
							+ count(writes, "SELECT count(*) FROM pg_class WHERE relname = 'replicated'")
							+ ", primary db " + primary.getCatalog() + ", replica db " + replica.getCatalog()
							+ ", replica recovery "
							+ count(reads, "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END"))
					.isEqualTo(1);
				assertThat(count(reads, "SELECT count(*) FROM replicated")).isEqualTo(1);
				assertThat(count(reads, "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END")).isEqualTo(1);

				standby.pauseReplay();
				writes.execute("INSERT INTO replicated VALUES (2)");
				standby.awaitReceived(Duration.ofSeconds(30));
				assertThat(count(reads, "SELECT count(*) FROM replicated")).as("received, not replayed").isEqualTo(1);
				standby.resumeReplay();
				standby.awaitCaughtUp(Duration.ofSeconds(30));
				assertThat(count(reads, "SELECT count(*) FROM replicated")).isEqualTo(2);
			}
		}
	}

	private static long count(Statement statement, String sql) throws SQLException {
		try (ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	@Test
	void aRedisClusterServesEverySlotAndFailsOverAStoppedMaster(LocalStack stack) {
		try (RedisCluster cluster = stack.startRedisCluster()) {
			assertThat(cluster.nodes().split(",")).hasSize(6);
			java.util.Set<Integer> masters = new HashSet<>();
			for (int i = 0; i < 30; i++) {
				int master = cluster.masterOf("key-" + i);
				masters.add(master);
				assertThat(RespClient.command(master, "SET", "key-" + i, "value-" + i)).isEqualTo("OK");
			}
			assertThat(masters).as("three masters share the slots").hasSize(3);
			int master = cluster.masterOf("key-7");
			assertThat(RespClient.command(master, "WAIT", "1", "2000")).as("replicated").isEqualTo(1L);

			cluster.stop(master);
			int promoted = cluster.awaitMasterOf("key-7", Duration.ofSeconds(30));
			assertThat(promoted).isNotEqualTo(master);
			assertThat(RespClient.command(promoted, "GET", "key-7")).isEqualTo("value-7");
			cluster.restart(master);
			cluster.awaitHealthy(Duration.ofSeconds(30));
			assertThat(cluster.masterOf("key-7")).as("the restarted node is a replica now").isEqualTo(promoted);
		}
	}

	@Test
	void sentinelsFailOverAStoppedMasterAndTheFormerMasterComesBackAsReplica(LocalStack stack) {
		try (RedisSentinel group = stack.startRedisSentinel()) {
			assertThat(group.springProperties()).containsEntry("spring.data.redis.sentinel.master", "trakr");
			int master = group.masterPort();
			RespClient.command(master, "SET", "probe", "1");
			assertThat(RespClient.command(master, "WAIT", "1", "2000")).isEqualTo(1L);

			group.stop(master);
			int promoted = group.awaitFailover(master, Duration.ofSeconds(30));
			assertThat(RespClient.command(promoted, "GET", "probe")).isEqualTo("1");
			group.restart(master);
			// Sentinel waits a few of its 10 s INFO periods before it reconfigures a
			// master that came back (a CI run on a slow machine passed 30 s).
			LocalStack.await(Duration.ofSeconds(90), "the former master to follow the new one",
					() -> String.valueOf(RespClient.commandOrNull(master, "ROLE")).startsWith("[slave"));
		}
	}

	@Test
	void redisComesBackOnTheSamePortAfterAStop(LocalStack stack) {
		stack.stopRedis();
		assertThat(listening(stack.redisPort())).isFalse();
		stack.restartRedis();
		RedisClient client = RedisClient.create(stack.redisUrl());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			assertThat(connection.sync().ping()).isEqualTo("PONG");
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void aDurableStackHasFsyncAndSynchronousCommitOnAndTheTestStackHasThemOff(LocalStack testStack)
			throws SQLException {
		assertThat(settings(testStack)).containsExactly("off", "off", "off");
		try (LocalStack durable = LocalStack.start(new LocalStack.Settings(0, 0, 0, true))) {
			assertThat(settings(durable)).as("asked of the server itself").containsExactly("on", "on", "on");
		}
	}

	private static List<String> settings(LocalStack stack) throws SQLException {
		try (Connection connection = connect(stack.jdbcUrl(), stack);
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT current_setting('fsync'), "
						+ "current_setting('synchronous_commit'), current_setting('full_page_writes')")) {
			rows.next();
			return List.of(rows.getString(1), rows.getString(2), rows.getString(3));
		}
	}

	@Test
	void closingAStackStopsEveryServerAndRemovesItsFiles() {
		List<Path> before = stackDirectories();
		LocalStack stack = LocalStack.start(LocalStack.Settings.forTests());
		List<Integer> ports = List.of(portOf(stack.kafkaBootstrapServers()), stack.postgresPort(), stack.redisPort());
		List<Path> created = new ArrayList<>(stackDirectories());
		created.removeAll(before);
		assertThat(created).hasSize(1);
		assertThat(ports).allMatch(LocalStackIT::listening);

		stack.close();

		assertThat(ports).noneMatch(LocalStackIT::listening);
		assertThat(created.get(0)).doesNotExist();
	}

	@Test
	void aKilledOwnerLeavesNoServerAndNoFilesBehind() throws Exception {
		Path envFile = Files.createTempFile("local-stack", ".env");
		Files.delete(envFile);
		Process owner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), LocalStackMain.class.getName(), "--env-file", envFile.toString())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!Files.exists(envFile) && System.nanoTime() < deadline && owner.isAlive()) {
				Thread.sleep(100);
			}
			Properties env = new Properties();
			try (var reader = Files.newBufferedReader(envFile)) {
				env.load(reader);
			}
			List<Integer> ports = List.of(portOf(env.getProperty("SPRING_KAFKA_BOOTSTRAPSERVERS")),
					portOf(env.getProperty("SPRING_DATASOURCE_URL").replaceAll("/trakr$", "")),
					portOf(env.getProperty("SPRING_DATA_REDIS_URL")));
			assertThat(ports).allMatch(LocalStackIT::listening);
			int stacksBefore = stackDirectories().size();

			owner.destroyForcibly().waitFor();

			long cleanupDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			while (ports.stream().anyMatch(LocalStackIT::listening) && System.nanoTime() < cleanupDeadline) {
				Thread.sleep(100);
			}
			assertThat(ports).noneMatch(LocalStackIT::listening);
			while (stackDirectories().size() >= stacksBefore && System.nanoTime() < cleanupDeadline) {
				Thread.sleep(100);
			}
			assertThat(stackDirectories()).hasSize(stacksBefore - 1);
		}
		finally {
			owner.destroyForcibly();
			Files.deleteIfExists(envFile);
		}
	}

	private static List<Path> stackDirectories() {
		try (var children = Files.list(StackDirectory.defaultRoot())) {
			return children.filter(p -> p.getFileName().toString().startsWith("stack-")).toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static int portOf(String address) {
		return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
	}

	private static boolean listening(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static Connection connect(String url, LocalStack stack) throws SQLException {
		return DriverManager.getConnection(url, stack.postgresUser(), stack.postgresPassword());
	}

	private static Map<String, Object> producerConfig(LocalStack stack) {
		return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(),
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
	}

	private static Map<String, Object> consumerConfig(LocalStack stack) {
		return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(),
				ConsumerConfig.GROUP_ID_CONFIG, "probe-" + System.nanoTime(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
				"earliest", ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
	}

}
