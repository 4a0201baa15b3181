package run.trakr.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft), PostgreSQL and Redis on loopback ports, started from jars
 * with nothing installed or running beforehand. Nothing outlives the JVM: see
 * {@link StackDirectory}.
 */
public final class LocalStack implements AutoCloseable {

	/** Ports {@link #freePort()} has handed out: never twice. */
	private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

	private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

	private static LocalStack shared;

	private final StackDirectory directory;

	private final KafkaBroker kafka;

	private final PostgresServer postgres;

	private final RedisServer redis;

	private final Duration startupTime;

	private boolean closed;

	/**
	 * Kafka and Redis clusters and sentinel groups started on demand, closed with the
	 * stack.
	 */
	private final List<AutoCloseable> clusters = new ArrayList<>();

	private LocalStack(StackDirectory directory, KafkaBroker kafka, PostgresServer postgres, RedisServer redis,
			Duration startupTime) {
		this.directory = directory;
		this.kafka = kafka;
		this.postgres = postgres;
		this.redis = redis;
		this.startupTime = startupTime;
	}

	/**
	 * How to start a stack. Port 0 picks a free port; {@code durable} keeps PostgreSQL's
	 * fsync on, as benchmarks want.
	 */
	public record Settings(int kafkaPort, int postgresPort, int redisPort, boolean durable) {

		public static Settings forTests() {
			return new Settings(0, 0, 0, false);
		}

	}

	/** Starts the three servers in parallel and returns when all of them answer. */
	public static LocalStack start(Settings settings) {
		long started = System.nanoTime();
		StackDirectory directory = StackDirectory.create(StackDirectory.defaultRoot());
		int kafkaPort = portOrFree(settings.kafkaPort());
		int controllerPort = freePort();
		int redisPort = portOrFree(settings.redisPort());
		CompletableFuture<KafkaBroker> kafka = CompletableFuture
			.supplyAsync(() -> KafkaBroker.start(directory.resolve("kafka"), kafkaPort, controllerPort));
		CompletableFuture<PostgresServer> postgres = CompletableFuture
			.supplyAsync(() -> PostgresServer.start(directory, settings.postgresPort(), settings.durable()));
		CompletableFuture<RedisServer> redis = CompletableFuture
			.supplyAsync(() -> RedisServer.start(directory, StackDirectory.defaultRoot().resolve("bin"), redisPort));
		try {
			CompletableFuture.allOf(kafka, postgres, redis).join();
		}
		catch (RuntimeException ex) {
			kafka.thenAccept(KafkaBroker::close);
			redis.thenAccept(RedisServer::close);
			postgres.thenAccept(LocalStack::closeQuietly);
			directory.close();
			throw new IllegalStateException("Local stack did not start", ex.getCause() != null ? ex.getCause() : ex);
		}
		LocalStack stack = new LocalStack(directory, kafka.join(), postgres.join(), redis.join(),
				Duration.ofNanos(System.nanoTime() - started));
		log.info("Local stack ready in {} ms: kafka {}, postgres {}, redis {}", stack.startupTime.toMillis(),
				stack.kafkaBootstrapServers(), stack.jdbcUrl(), stack.redisUrl());
		return stack;
	}

	/**
	 * The one stack of this JVM, started on first use and stopped when the JVM exits (or
	 * earlier, by the JUnit extension at the end of the test run).
	 */
	public static synchronized LocalStack shared() {
		if (shared == null || shared.closed) {
			shared = start(Settings.forTests());
			Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "local-stack-shutdown"));
		}
		return shared;
	}

	public String kafkaBootstrapServers() {
		return this.kafka.bootstrapServers();
	}

	/** The JDBC URL of the {@code trakr} database. */
	public String jdbcUrl() {
		return this.postgres.jdbcUrl(PostgresServer.DATABASE);
	}

	public String postgresUser() {
		return PostgresServer.USER;
	}

	/** PostgreSQL trusts loopback connections, so any password (or none) works. */
	public String postgresPassword() {
		return "";
	}

	public int postgresPort() {
		return this.postgres.port();
	}

	public String redisHost() {
		return "127.0.0.1";
	}

	public int redisPort() {
		return this.redis.port();
	}

	public String redisUrl() {
		return "redis://" + redisHost() + ":" + redisPort();
	}

	public Duration startupTime() {
		return this.startupTime;
	}

	/**
	 * Creates a new empty database and returns its JDBC URL, for tests that need one of
	 * their own.
	 */
	public String createDatabase() {
		String name = "db_" + UUID.randomUUID().toString().replace("-", "");
		this.postgres.createDatabase(name);
		return this.postgres.jdbcUrl(name);
	}

	/** Stops the Kafka broker (data kept), so that tests can see clients without it. */
	public void stopKafka() {
		this.kafka.stop();
	}

	/**
	 * Starts the Kafka broker again on the same port and data after {@link #stopKafka()}.
	 */
	public void restartKafka() {
		this.kafka.restart();
	}

	/**
	 * Stops PostgreSQL (fast shutdown, data kept), so that tests can see how services
	 * ride out a database outage.
	 */
	public void stopPostgres() {
		this.postgres.stop();
	}

	/**
	 * Starts PostgreSQL again on the same port and data after {@link #stopPostgres()}.
	 */
	public void restartPostgres() {
		this.postgres.restart();
	}

	/**
	 * Freezes PostgreSQL ({@code SIGSTOP} to every process of it): connections stay open
	 * and new ones are accepted by the kernel, but nothing answers, until
	 * {@link #resumePostgres()}.
	 */
	public void pausePostgres() {
		this.postgres.signalAll("STOP");
	}

	public void resumePostgres() {
		this.postgres.signalAll("CONT");
	}

	/** Freezes Redis ({@code SIGSTOP}) until {@link #resumeRedis()}. */
	public void pauseRedis() {
		this.redis.signal("STOP");
	}

	public void resumeRedis() {
		this.redis.signal("CONT");
	}

	/** Sends {@code kill -SIGNAL} to each process. */
	static void signal(String signal, Collection<Long> pids) {
		List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
		pids.forEach((pid) -> command.add(Long.toString(pid)));
		try {
			if (new ProcessBuilder(command).inheritIO().start().waitFor() != 0) {
				throw new IllegalStateException("Cannot send " + signal + " to " + pids);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Starts a streaming-replication standby of the stack's PostgreSQL (the primary stops
	 * for a moment while its data is copied); it stops with the stack, or earlier when
	 * closed.
	 */
	public synchronized PostgresStandby startPostgresStandby() {
		PostgresStandby standby = PostgresStandby.start(this.directory, this.postgres);
		this.clusters.add(standby);
		return standby;
	}

	/**
	 * Starts a three-node Kafka cluster (three brokers, three voting controllers) beside
	 * the stack's broker; it stops with the stack, or earlier when closed.
	 */
	public synchronized KafkaCluster startKafkaCluster() {
		KafkaCluster cluster = KafkaCluster.start(this.directory.resolve("kafka-cluster-" + System.nanoTime()));
		this.clusters.add(cluster);
		return cluster;
	}

	/**
	 * Starts a Redis Cluster (three masters, three replicas) beside the standalone Redis;
	 * it stops with the stack, or earlier when closed.
	 */
	public synchronized RedisCluster startRedisCluster() {
		RedisCluster cluster = RedisCluster.start(this.directory, StackDirectory.defaultRoot().resolve("bin"));
		this.clusters.add(cluster);
		return cluster;
	}

	/**
	 * Starts a Redis master, a replica and three sentinels beside the standalone Redis;
	 * it stops with the stack, or earlier when closed.
	 */
	public synchronized RedisSentinel startRedisSentinel() {
		RedisSentinel group = RedisSentinel.start(this.directory, StackDirectory.defaultRoot().resolve("bin"));
		this.clusters.add(group);
		return group;
	}

	/** Stops Redis, so that tests can see how clients behave without it. */
	public void stopRedis() {
		this.redis.stop();
	}

	/** Starts Redis again on the same port after {@link #stopRedis()}. */
	public void restartRedis() {
		this.redis.restart();
	}

	/** The settings a Spring Boot service needs to use this stack, as properties. */
	public Map<String, String> springProperties() {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("spring.kafka.bootstrap-servers", kafkaBootstrapServers());
		properties.put("spring.datasource.url", jdbcUrl());
		properties.put("spring.datasource.username", postgresUser());
		properties.put("spring.datasource.password", postgresPassword());
		properties.put("spring.data.redis.url", redisUrl());
		return properties;
	}

	/**
	 * The same settings as the environment variables Spring Boot reads
	 * ({@code SPRING_DATASOURCE_URL}...), for a service in another process.
	 */
	public Map<String, String> environment() {
		return environment(springProperties());
	}

	/** Spring Boot properties as the environment variables Spring Boot reads. */
	public static Map<String, String> environment(Map<String, String> properties) {
		Map<String, String> environment = new LinkedHashMap<>();
		properties
			.forEach((key, value) -> environment.put(key.toUpperCase().replace('.', '_').replace("-", ""), value));
		return environment;
	}

	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.clusters.forEach(LocalStack::closeQuietly);
		closeQuietly(this.kafka);
		closeQuietly(this.postgres);
		closeQuietly(this.redis);
		this.directory.close();
		log.info("Local stack stopped");
	}

	private static void closeQuietly(AutoCloseable server) {
		try {
			server.close();
		}
		catch (Exception ex) {
			log.warn("Stopping {} failed: {}", server.getClass().getSimpleName(), ex.toString());
		}
	}

	private static int portOrFree(int port) {
		return (port > 0) ? port : freePort();
	}

	/**
	 * A free loopback port not handed out before by this JVM. The probe's socket is
	 * closed before the server binds, so the system may offer the same port to the next
	 * probe: a broker once got one port for both its listeners, and would not start.
	 */
	static int freePort() {
		for (int attempt = 0; attempt < 1000; attempt++) {
			int port = probeFreePort();
			if (HANDED_OUT.add(port)) {
				return port;
			}
		}
		throw new IllegalStateException("No loopback port left that was not handed out already");
	}

	/**
	 * A free loopback port whose {@code port + offset} is free too, both reserved like
	 * {@link #freePort()}'s: a Redis Cluster node also listens
	 * {@value RedisCluster#BUS_PORT_OFFSET} above its port, and will not start when that
	 * is above 65535 or taken.
	 */
	static int freePortPair(int offset) {
		for (int attempt = 0; attempt < 1000; attempt++) {
			int port = probeFreePort();
			int second = port + offset;
			if (second > 65535 || !isFree(second) || !HANDED_OUT.add(port)) {
				continue;
			}
			if (HANDED_OUT.add(second)) {
				return port;
			}
			HANDED_OUT.remove(port);
		}
		throw new IllegalStateException("No pair of loopback ports " + offset + " apart left");
	}

	private static int probeFreePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free loopback port", ex);
		}
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Waits, polling every 50 ms, until {@code condition} holds; else throws. */
	static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what);
			}
			pause(50);
		}
	}

	static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a server", ex);
		}
	}

}
