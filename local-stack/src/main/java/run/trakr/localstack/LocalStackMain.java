package run.trakr.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/local-stack}: runs the local stack until Ctrl-C, printing the environment a
 * service needs to use it.
 */
@Command(name = "local-stack", sortOptions = false, usageHelpAutoWidth = true,
		description = "Runs real Kafka, PostgreSQL and Redis on loopback ports until Ctrl-C, and prints "
				+ "the environment a service needs to use them.")
public final class LocalStackMain implements Callable<Integer> {

	@Option(names = "--kafka-port", paramLabel = "N", description = "Kafka's port (default: a free one)")
	private int kafkaPort;

	@Option(names = "--postgres-port", paramLabel = "N", description = "PostgreSQL's port (default: a free one)")
	private int postgresPort;

	@Option(names = "--redis-port", paramLabel = "N", description = "Redis's port (default: a free one)")
	private int redisPort;

	@Option(names = "--kafka-brokers", paramLabel = "N", description = "1 (default) or 3: a cluster of three "
			+ "brokers and three voting controllers, topics with three replicas, two in sync")
	private int kafkaBrokers = 1;

	@Option(names = "--postgres-standby", description = "Also a streaming-replication standby of PostgreSQL; "
			+ "prints its JDBC URL as TRAKR_READREPLICA_URL")
	private boolean postgresStandby;

	@Option(names = "--redis-cluster", description = "Also a Redis Cluster (three masters, three replicas); "
			+ "prints SPRING_DATA_REDIS_CLUSTER_NODES")
	private boolean redisCluster;

	@Option(names = "--redis-sentinel", description = "Also a Redis master, a replica and three sentinels; "
			+ "prints SPRING_DATA_REDIS_SENTINEL_MASTER and SPRING_DATA_REDIS_SENTINEL_NODES")
	private boolean redisSentinel;

	@Option(names = "--durable", description = "PostgreSQL with fsync and synchronous commit on (default: off, "
			+ "faster, loses the last commits on a crash of this machine)")
	private boolean durable;

	@Option(names = "--env-file", paramLabel = "PATH", description = "Also write the environment to this file")
	private Path envFile;

	@Option(names = { "-h", "--help" }, usageHelp = true, description = "Show this help and exit")
	private boolean help;

	public static void main(String[] args) {
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "run/trakr/localstack/local-stack-logback.xml");
		}
		System.exit(new CommandLine(new LocalStackMain()).setExecutionExceptionHandler(LocalStackMain::failed)
			.execute(args));
	}

	/** A failure is one line on stderr and exit code 1, not a stack trace. */
	private static int failed(Exception ex, CommandLine command, CommandLine.ParseResult parsed) {
		command.getErr().println("Failed: " + ex.getMessage());
		return 1;
	}

	@Override
	public Integer call() throws Exception {
		LocalStack stack = LocalStack
			.start(new LocalStack.Settings(this.kafkaPort, this.postgresPort, this.redisPort, this.durable));
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			stack.close();
			stopped.countDown();
		}, "local-stack-shutdown"));
		Map<String, String> properties = new LinkedHashMap<>(stack.springProperties());
		if (this.kafkaBrokers == KafkaCluster.NODES) {
			properties.putAll(stack.startKafkaCluster().springProperties());
		}
		else if (this.kafkaBrokers != 1) {
			throw new IllegalArgumentException("--kafka-brokers must be 1 or " + KafkaCluster.NODES);
		}
		if (this.postgresStandby) {
			properties.put("trakr.read-replica.url", stack.startPostgresStandby().jdbcUrl());
		}
		if (this.redisCluster) {
			properties.putAll(stack.startRedisCluster().springProperties());
		}
		if (this.redisSentinel) {
			properties.putAll(stack.startRedisSentinel().springProperties());
		}
		String env = LocalStack.environment(properties)
			.entrySet()
			.stream()
			.map(e -> e.getKey() + "=" + e.getValue())
			.collect(Collectors.joining("\n", "", "\n"));
		if (this.envFile != null) {
			Files.writeString(this.envFile, env);
		}
		System.out.println("Local stack ready in " + stack.startupTime().toMillis() + " ms. Ctrl-C stops it.");
		System.out.print(env);
		System.out.flush();
		stopped.await();
		return 0;
	}

}
