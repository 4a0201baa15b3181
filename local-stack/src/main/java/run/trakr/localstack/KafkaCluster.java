package run.trakr.localstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * Three Kafka nodes in KRaft mode, each a broker and one of three voting controllers,
 * running in this JVM: topics get three replicas and need two in sync, as on a production
 * cluster. Tests stop and restart a node to see clients ride out a leader moving.
 */
public final class KafkaCluster implements AutoCloseable {

	static final int NODES = 3;

	/** By node id (1, 2, 3). */
	private final Map<Integer, KafkaBroker> nodes;

	private KafkaCluster(Map<Integer, KafkaBroker> nodes) {
		this.nodes = nodes;
	}

	static KafkaCluster start(Path dir) {
		String clusterId = Uuid.randomUuid().toString();
		List<Integer> ports = new ArrayList<>();
		List<Integer> controllerPorts = new ArrayList<>();
		for (int i = 0; i < NODES; i++) {
			ports.add(LocalStack.freePort());
			controllerPorts.add(LocalStack.freePort());
		}
		String voters = java.util.stream.IntStream.range(0, NODES)
			.mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i))
			.collect(Collectors.joining(","));
		Map<Integer, KafkaBroker> nodes = new HashMap<>();
		for (int i = 0; i < NODES; i++) {
			Path nodeDir = dir.resolve("node-" + (i + 1));
			try {
				java.nio.file.Files.createDirectories(nodeDir);
			}
			catch (java.io.IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
			nodes.put(i + 1, KafkaBroker.prepare(nodeDir, i + 1, ports.get(i), controllerPorts.get(i), voters,
					clusterId, NODES));
		}
		KafkaCluster cluster = new KafkaCluster(nodes);
		try {
			// Together: no node is ready before a quorum of controllers is.
			CompletableFuture
				.allOf(nodes.values()
					.stream()
					.map(node -> CompletableFuture.runAsync(node::launch))
					.toArray(CompletableFuture[]::new))
				.join();
			cluster.awaitNodes(NODES, Duration.ofSeconds(60));
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
		return cluster;
	}

	public String bootstrapServers() {
		return this.nodes.values()
			.stream()
			.map(node -> "127.0.0.1:" + node.port())
			.sorted()
			.collect(Collectors.joining(","));
	}

	public Map<String, String> springProperties() {
		return Map.of("spring.kafka.bootstrap-servers", bootstrapServers());
	}

	/**
	 * Creates a topic with three replicas that needs two of them in sync, and its dead
	 * letter topic alike.
	 */
	public void createTopic(String topic, int partitions) {
		try (Admin admin = admin()) {
			Map<String, String> configs = Map.of("min.insync.replicas", "2");
			admin
				.createTopics(List.of(new NewTopic(topic, partitions, (short) NODES).configs(configs),
						new NewTopic(topic + ".dlq", 1, (short) NODES).configs(configs)))
				.all()
				.get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot create " + topic, ex);
		}
	}

	/** The node that leads the most partitions of the topic now. */
	public int leaderOfMostPartitions(String topic) {
		try (Admin admin = admin()) {
			TopicDescription description = admin.describeTopics(List.of(topic))
				.allTopicNames()
				.get(30, TimeUnit.SECONDS)
				.get(topic);
			Map<Integer, Integer> led = new HashMap<>();
			for (TopicPartitionInfo partition : description.partitions()) {
				if (partition.leader() != null) {
					led.merge(partition.leader().id(), 1, Integer::sum);
				}
			}
			return led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot describe " + topic, ex);
		}
	}

	/** Stops a node, keeping its data; the others elect new leaders. */
	public void stop(int nodeId) {
		this.nodes.get(nodeId).stop();
	}

	/** Starts a stopped node again on its ports and data. */
	public void restart(int nodeId) {
		this.nodes.get(nodeId).launch();
		awaitNodes(NODES, Duration.ofSeconds(60));
	}

	@Override
	public void close() {
		this.nodes.values().forEach(KafkaBroker::close);
	}

	private Admin admin() {
		return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
	}

	private void awaitNodes(int count, Duration timeout) {
		try (Admin admin = admin()) {
			LocalStack.await(timeout, count + " Kafka nodes", () -> {
				try {
					return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count;
				}
				catch (Exception ex) {
					return false;
				}
			});
		}
	}

}
