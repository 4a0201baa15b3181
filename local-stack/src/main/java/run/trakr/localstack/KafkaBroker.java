package run.trakr.localstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A Kafka node, broker and controller in KRaft mode, running in this JVM: alone (the
 * stack's broker) or one of the voters of a {@link KafkaCluster}.
 */
final class KafkaBroker implements AutoCloseable {

	private final Properties config;

	private final int port;

	private KafkaRaftServer server;

	private KafkaBroker(Properties config, int port) {
		this.config = config;
		this.port = port;
	}

	static KafkaBroker start(Path dir, int port, int controllerPort) {
		Properties config = config(dir.resolve("data"), 1, port, controllerPort, "1@127.0.0.1:" + controllerPort, 1);
		format(dir, config, Uuid.randomUuid().toString());
		KafkaBroker broker = new KafkaBroker(config, port);
		broker.restart();
		return broker;
	}

	/**
	 * One node of a cluster, formatted with the cluster's id, not yet started (the voters
	 * start together: none is ready without a quorum).
	 */
	static KafkaBroker prepare(Path dir, int nodeId, int port, int controllerPort, String voters, String clusterId,
			int replicas) {
		Properties config = config(dir.resolve("data"), nodeId, port, controllerPort, voters, replicas);
		format(dir, config, clusterId);
		return new KafkaBroker(config, port);
	}

	/** Stops the broker, keeping its data, so that tests can see clients without it. */
	synchronized void stop() {
		if (this.server != null) {
			this.server.shutdown();
			this.server.awaitShutdown();
			this.server = null;
		}
	}

	/** Starts the broker on its data and ports (again, after {@link #stop()}). */
	synchronized void restart() {
		launch();
		awaitReady(Duration.ofSeconds(30));
	}

	/** Starts the node without waiting for it to serve (a cluster waits for all). */
	synchronized void launch() {
		this.server = new KafkaRaftServer(KafkaConfig.fromProps(this.config), Time.SYSTEM);
		this.server.startup();
	}

	synchronized boolean isRunning() {
		return this.server != null;
	}

	int port() {
		return this.port;
	}

	String bootstrapServers() {
		return "127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		stop();
	}

	/**
	 * {@code replicas}: of the internal topics (offsets, transactions), 1 alone or 3 in a
	 * cluster, where they also need two in sync.
	 */
	private static Properties config(Path logDir, int nodeId, int port, int controllerPort, String voters,
			int replicas) {
		String factor = Integer.toString(replicas);
		String minInSync = Integer.toString(Math.min(replicas, 2));
		Properties config = new Properties();
		config.putAll(Map.ofEntries(Map.entry("process.roles", "broker,controller"),
				Map.entry("node.id", Integer.toString(nodeId)), Map.entry("controller.quorum.voters", voters),
				Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
				Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
				Map.entry("controller.listener.names", "CONTROLLER"),
				Map.entry("inter.broker.listener.name", "PLAINTEXT"),
				Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
				Map.entry("log.dirs", logDir.toString()),
				// Fewer partitions of the internal topics start faster.
				Map.entry("offsets.topic.replication.factor", factor), Map.entry("offsets.topic.num.partitions", "4"),
				Map.entry("transaction.state.log.replication.factor", factor),
				Map.entry("transaction.state.log.min.isr", minInSync),
				Map.entry("transaction.state.log.num.partitions", "4"),
				Map.entry("share.coordinator.state.topic.replication.factor", factor),
				Map.entry("share.coordinator.state.topic.min.isr", minInSync),
				Map.entry("default.replication.factor", factor), Map.entry("min.insync.replicas", minInSync),
				// A stopped node is lost, not drained: no controlled shutdown (the last
				// node of a cluster has no quorum to ask and would wait minutes), and
				// the others notice within 2 s.
				Map.entry("controlled.shutdown.enable", Boolean.toString(replicas == 1)),
				Map.entry("broker.session.timeout.ms", "2000"), Map.entry("broker.heartbeat.interval.ms", "500"),
				Map.entry("group.initial.rebalance.delay.ms", "0"), Map.entry("num.partitions", "1"),
				Map.entry("auto.create.topics.enable", "true")));
		return config;
	}

	/** Formats the metadata log the way {@code kafka-storage.sh format} does. */
	private static void format(Path dir, Properties config, String clusterId) {
		Path configFile = dir.resolve("server.properties");
		try (Writer writer = Files.newBufferedWriter(configFile)) {
			config.store(writer, "local stack broker");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		int exit = StorageTool.execute(new String[] { "format", "--cluster-id", clusterId, "--config",
				configFile.toString(), "--ignore-formatted" }, new PrintStream(output, true, StandardCharsets.UTF_8));
		if (exit != 0) {
			throw new IllegalStateException("kafka-storage format failed: " + output.toString(StandardCharsets.UTF_8));
		}
	}

	void awaitReady(Duration timeout) {
		Map<String, Object> adminConfig = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
		long deadline = System.nanoTime() + timeout.toNanos();
		try (Admin admin = Admin.create(adminConfig)) {
			while (System.nanoTime() < deadline) {
				try {
					if (!admin.describeCluster().nodes().get().isEmpty()) {
						return;
					}
				}
				catch (Exception ex) {
					// broker not registered yet
				}
				LocalStack.pause(50);
			}
		}
		throw new IllegalStateException("Kafka broker not ready within " + timeout);
	}

}
