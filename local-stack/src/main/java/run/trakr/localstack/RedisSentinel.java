package run.trakr.localstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Redis master, one replica and three sentinels watching them as {@value #MASTER}
 * (quorum 2; a master unreachable for 1 s is failed over). Tests stop the master to see
 * clients follow the failover.
 */
public final class RedisSentinel implements AutoCloseable {

	/** The name the sentinels know the master by. */
	public static final String MASTER = "trakr";

	/** The master and the replica, by port (which one is the master changes). */
	private final Map<Integer, RedisServer> servers = new LinkedHashMap<>();

	private final Map<Integer, RedisServer> sentinels = new LinkedHashMap<>();

	private RedisSentinel() {
	}

	static RedisSentinel start(StackDirectory stack, Path binaryCache) {
		RedisSentinel group = new RedisSentinel();
		try {
			int masterPort = LocalStack.freePort();
			group.servers.put(masterPort,
					RedisServer.start(stack, binaryCache, "redis-sentinel-master", masterPort, List.of()));
			int replicaPort = LocalStack.freePort();
			group.servers.put(replicaPort, RedisServer.start(stack, binaryCache, "redis-sentinel-replica", replicaPort,
					List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort))));
			String configuration = "sentinel monitor " + MASTER + " 127.0.0.1 " + masterPort + " 2\n"
					+ "sentinel down-after-milliseconds " + MASTER + " 1000\n" + "sentinel failover-timeout " + MASTER
					+ " 5000\n";
			for (int i = 1; i <= 3; i++) {
				int port = LocalStack.freePort();
				group.sentinels.put(port,
						RedisServer.startSentinel(stack, binaryCache, "redis-sentinel-" + i, port, configuration));
			}
			LocalStack.await(Duration.ofSeconds(30), "the replica to be in sync",
					() -> String.valueOf(RespClient.commandOrNull(replicaPort, "INFO", "replication"))
						.contains("master_link_status:up"));
			// Sentinels find each other through the master; a failover needs them to.
			LocalStack.await(Duration.ofSeconds(30), "the sentinels to know each other",
					() -> group.sentinels.keySet()
						.stream()
						.allMatch(port -> String.valueOf(RespClient.commandOrNull(port, "SENTINEL", "CKQUORUM", MASTER))
							.contains("3 usable Sentinels")));
		}
		catch (RuntimeException ex) {
			group.close();
			throw ex;
		}
		return group;
	}

	/**
	 * {@code host:port,...} of the sentinels: {@code spring.data.redis.sentinel.nodes}.
	 */
	public String sentinelNodes() {
		return this.sentinels.keySet().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
	}

	public Map<String, String> springProperties() {
		return Map.of("spring.data.redis.sentinel.master", MASTER, "spring.data.redis.sentinel.nodes", sentinelNodes());
	}

	/** The master's port as the sentinels see it now. */
	public int masterPort() {
		for (int port : this.sentinels.keySet()) {
			Object address = RespClient.commandOrNull(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER);
			if (address instanceof List<?> parts) {
				return Integer.parseInt((String) parts.get(1));
			}
		}
		throw new IllegalStateException("No sentinel answers");
	}

	/** Stops a server of the group (the master, say); its port is kept. */
	public void stop(int port) {
		this.servers.get(port).stop();
	}

	/** Starts it again; the sentinels make a former master the new master's replica. */
	public void restart(int port) {
		this.servers.get(port).restart();
	}

	/** Waits until the sentinels name a master other than {@code formerPort}. */
	public int awaitFailover(int formerPort, Duration timeout) {
		int[] master = new int[1];
		LocalStack.await(timeout, "a failover from port " + formerPort, () -> {
			try {
				master[0] = masterPort();
				return master[0] != formerPort
						&& String.valueOf(RespClient.commandOrNull(master[0], "ROLE")).startsWith("[master");
			}
			catch (RuntimeException ex) {
				return false;
			}
		});
		return master[0];
	}

	@Override
	public void close() {
		List<RedisServer> all = new ArrayList<>(this.sentinels.values());
		all.addAll(this.servers.values());
		all.forEach(RedisServer::close);
	}

}
