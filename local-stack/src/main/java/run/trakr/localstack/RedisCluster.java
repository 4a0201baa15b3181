package run.trakr.localstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of three masters, each with one replica, formed by the stack from six
 * redis-server processes on loopback (the slots split in three; a node unreachable for 1
 * s is failed over). Tests stop and restart nodes to see clients ride out a failover.
 */
public final class RedisCluster implements AutoCloseable {

	static final int NODES = 6;

	/** Redis 6 listens for the cluster bus this far above a node's port. */
	static final int BUS_PORT_OFFSET = 10000;

	private static final int SLOTS = 16384;

	/** By port; a node keeps its port across a restart. */
	private final Map<Integer, RedisServer> servers;

	private RedisCluster(Map<Integer, RedisServer> servers) {
		this.servers = servers;
	}

	static RedisCluster start(StackDirectory stack, Path binaryCache) {
		List<Integer> ports = new ArrayList<>();
		for (int i = 0; i < NODES; i++) {
			ports.add(LocalStack.freePortPair(BUS_PORT_OFFSET));
		}
		List<CompletableFuture<RedisServer>> starting = new ArrayList<>();
		for (int i = 0; i < NODES; i++) {
			int port = ports.get(i);
			String name = "redis-cluster-" + (i + 1);
			starting.add(CompletableFuture
				.supplyAsync(() -> RedisServer.start(stack, binaryCache, name, port, List.of("--cluster-enabled", "yes",
						"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000"))));
		}
		Map<Integer, RedisServer> servers = new LinkedHashMap<>();
		for (int i = 0; i < NODES; i++) {
			servers.put(ports.get(i), starting.get(i).join());
		}
		RedisCluster cluster = new RedisCluster(servers);
		try {
			cluster.form(ports);
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
		return cluster;
	}

	/**
	 * Introduces every node to the first, gives the first three a third of the slots each
	 * and makes the other three their replicas.
	 */
	private void form(List<Integer> ports) {
		for (int port : ports.subList(1, NODES)) {
			RespClient.command(port, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(ports.get(0)));
		}
		for (int m = 0; m < 3; m++) {
			List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
			for (int slot = m * SLOTS / 3; slot < (m + 1) * SLOTS / 3; slot++) {
				command.add(Integer.toString(slot));
			}
			RespClient.command(ports.get(m), command.toArray(String[]::new));
		}
		List<String> ids = ports.stream().map(port -> (String) RespClient.command(port, "CLUSTER", "MYID")).toList();
		LocalStack.await(Duration.ofSeconds(20), "every node to know the others",
				() -> ports.stream().allMatch(port -> knownNodes(port) == NODES));
		for (int r = 3; r < NODES; r++) {
			RespClient.command(ports.get(r), "CLUSTER", "REPLICATE", ids.get(r - 3));
		}
		LocalStack.await(Duration.ofSeconds(30), "the replicas to be in sync",
				() -> ports.subList(3, NODES)
					.stream()
					.allMatch(port -> String.valueOf(RespClient.commandOrNull(port, "INFO", "replication"))
						.contains("master_link_status:up")));
		awaitHealthy(Duration.ofSeconds(30));
	}

	/** {@code host:port,...}: Spring Boot's {@code spring.data.redis.cluster.nodes}. */
	public String nodes() {
		return this.servers.keySet().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
	}

	public Map<String, String> springProperties() {
		return Map.of("spring.data.redis.cluster.nodes", nodes());
	}

	/** The port of the master that serves {@code key}'s slot now. */
	public int masterOf(String key) {
		int live = anyRunning();
		long slot = (Long) RespClient.command(live, "CLUSTER", "KEYSLOT", key);
		for (Object range : (List<?>) RespClient.command(live, "CLUSTER", "SLOTS")) {
			List<?> parts = (List<?>) range;
			if ((Long) parts.get(0) <= slot && slot <= (Long) parts.get(1)) {
				return ((Long) ((List<?>) parts.get(2)).get(1)).intValue();
			}
		}
		throw new IllegalStateException("No master serves slot " + slot);
	}

	/** Stops one node (its port and data directory are kept). */
	public void stop(int port) {
		this.servers.get(port).stop();
	}

	/** Starts a stopped node again; it rejoins the cluster it knew. */
	public void restart(int port) {
		this.servers.get(port).restart();
	}

	/**
	 * Waits until every running node says {@code cluster_state:ok}: every slot served, a
	 * failover done.
	 */
	public void awaitHealthy(Duration timeout) {
		LocalStack.await(timeout, "cluster_state:ok on every running node",
				() -> this.servers.entrySet()
					.stream()
					.filter(entry -> entry.getValue().isRunning())
					.allMatch(entry -> String.valueOf(RespClient.commandOrNull(entry.getKey(), "CLUSTER", "INFO"))
						.contains("cluster_state:ok")));
	}

	/** Waits until a running master serves the slot of {@code key} again after a stop. */
	public int awaitMasterOf(String key, Duration timeout) {
		int[] master = new int[1];
		LocalStack.await(timeout, "a running master for " + key, () -> {
			try {
				master[0] = masterOf(key);
				return this.servers.get(master[0]).isRunning();
			}
			catch (RuntimeException ex) {
				return false;
			}
		});
		return master[0];
	}

	@Override
	public void close() {
		this.servers.values().forEach(RedisServer::close);
	}

	private int anyRunning() {
		return this.servers.entrySet()
			.stream()
			.filter(entry -> entry.getValue().isRunning())
			.findFirst()
			.orElseThrow()
			.getKey();
	}

	private static int knownNodes(int port) {
		Object nodes = RespClient.commandOrNull(port, "CLUSTER", "NODES");
		return (nodes == null) ? 0 : (int) ((String) nodes).lines().filter(line -> !line.isBlank()).count();
	}

}
