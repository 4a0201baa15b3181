package run.trakr.readapi.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;

/**
 * The shared Redis in whichever form it runs, named with Spring Boot's properties: a
 * sentinel group ({@code spring.data.redis.sentinel.master} and {@code .nodes}), else a
 * cluster ({@code spring.data.redis.cluster.nodes}), else one server
 * ({@code spring.data.redis.url}). Every form has the same guarantees: each command and
 * connect bounded by the timeout, commands rejected at once (never queued) while
 * disconnected. A cluster client also follows failovers by itself (periodic and adaptive
 * topology refresh, nodes flagged failed left out); a sentinel client asks the sentinels
 * for the master at every (re)connect.
 */
public final class SharedRedis implements AutoCloseable {

	/**
	 * Where Redis is. {@code password} applies to cluster nodes and the master found
	 * through sentinels; a URL carries its own.
	 */
	public record Endpoint(String url, List<String> clusterNodes, String sentinelMaster, List<String> sentinelNodes,
			String password) {

		public Endpoint {
			clusterNodes = (clusterNodes != null) ? List.copyOf(clusterNodes) : List.of();
			sentinelNodes = (sentinelNodes != null) ? List.copyOf(sentinelNodes) : List.of();
		}

		/** One server at {@code url}. */
		public static Endpoint standalone(String url) {
			return new Endpoint(url, List.of(), null, List.of(), null);
		}

		/**
		 * Spring Boot's variables ({@code SPRING_DATA_REDIS_URL},
		 * {@code SPRING_DATA_REDIS_CLUSTER_NODES}, {@code SPRING_DATA_REDIS_SENTINEL_*},
		 * {@code SPRING_DATA_REDIS_PASSWORD}) from an environment, for a command line.
		 */
		public static Endpoint fromEnvironment(Function<String, String> environment, String defaultUrl) {
			String url = environment.apply("SPRING_DATA_REDIS_URL");
			return new Endpoint((url != null) ? url : defaultUrl,
					list(environment.apply("SPRING_DATA_REDIS_CLUSTER_NODES")),
					environment.apply("SPRING_DATA_REDIS_SENTINEL_MASTER"),
					list(environment.apply("SPRING_DATA_REDIS_SENTINEL_NODES")),
					environment.apply("SPRING_DATA_REDIS_PASSWORD"));
		}

		private static List<String> list(String commaSeparated) {
			if (commaSeparated == null || commaSeparated.isBlank()) {
				return List.of();
			}
			return List.of(commaSeparated.trim().split("\\s*,\\s*"));
		}

		public boolean sentinel() {
			return this.sentinelMaster != null && !this.sentinelMaster.isBlank() && !this.sentinelNodes.isEmpty();
		}

		public boolean cluster() {
			return !sentinel() && !this.clusterNodes.isEmpty();
		}

		/** How the log and the health details name it. */
		public String describe() {
			if (sentinel()) {
				return "sentinel master " + this.sentinelMaster + " via " + String.join(",", this.sentinelNodes);
			}
			return cluster() ? "cluster " + String.join(",", this.clusterNodes) : withoutCredentials(this.url);
		}

		/** {@code redis://user:secret@host:port} as {@code redis://host:port}. */
		static String withoutCredentials(String url) {
			int at = url.lastIndexOf('@');
			int scheme = url.indexOf("://");
			return (at < 0 || scheme < 0) ? url : url.substring(0, scheme + 3) + url.substring(at + 1);
		}

	}

	/** One open connection and its commands (the same interface in every form). */
	record Link(StatefulConnection<String, String> connection, RedisClusterCommands<String, String> commands) {
	}

	private final AbstractRedisClient client;

	private final Supplier<Link> connector;

	private final Endpoint endpoint;

	private SharedRedis(Endpoint endpoint, AbstractRedisClient client, Supplier<Link> connector) {
		this.endpoint = endpoint;
		this.client = client;
		this.connector = connector;
	}

	public static SharedRedis create(Endpoint endpoint, Duration timeout) {
		// The bounds every form shares; a cluster adds following its topology.
		ClientOptions bounded = ClientOptions.builder()
			.autoReconnect(true)
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled(timeout))
			.socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
			.build();
		if (endpoint.cluster()) {
			List<RedisURI> nodes = new ArrayList<>();
			for (String node : endpoint.clusterNodes()) {
				nodes.add(withPassword(hostAndPort(node, RedisURI.builder()), endpoint).withTimeout(timeout).build());
			}
			RedisClusterClient client = RedisClusterClient.create(nodes);
			client.setOptions(ClusterClientOptions.builder(bounded)
				.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
					.enablePeriodicRefresh(Duration.ofSeconds(2))
					.enableAllAdaptiveRefreshTriggers()
					.build())
				// A master that failed over stays in the cluster's view, flagged failed;
				// a new connection could pick it and be refused until it came back.
				.nodeFilter((node) -> !node.is(NodeFlag.FAIL) && !node.is(NodeFlag.EVENTUAL_FAIL)
						&& !node.is(NodeFlag.NOADDR))
				.build());
			return new SharedRedis(endpoint, client, () -> {
				StatefulRedisClusterConnection<String, String> connection = client.connect();
				return new Link(connection, connection.sync());
			});
		}
		RedisURI uri;
		if (endpoint.sentinel()) {
			RedisURI.Builder builder = RedisURI.builder().withSentinelMasterId(endpoint.sentinelMaster());
			for (String node : endpoint.sentinelNodes()) {
				builder.withSentinel(hostAndPort(node, RedisURI.builder()).build());
			}
			uri = withPassword(builder, endpoint).withTimeout(timeout).build();
		}
		else {
			uri = RedisURI.create(endpoint.url());
			uri.setTimeout(timeout);
		}
		RedisClient client = RedisClient.create();
		client.setOptions(bounded);
		return new SharedRedis(endpoint, client, () -> {
			StatefulRedisConnection<String, String> connection = client.connect(uri);
			return new Link(connection, connection.sync());
		});
	}

	/**
	 * Opens a connection; throws when Redis (or every sentinel, or every node) is away.
	 */
	Link connect() {
		return this.connector.get();
	}

	/**
	 * Checks that every part of Redis that holds keys answers: the server, the master the
	 * sentinels name, or every cluster master, each saying {@code cluster_state:ok}
	 * itself (a cluster with one master away would otherwise look healthy from the
	 * others, and the client's default connection may be to the node that went away).
	 * @throws RuntimeException saying what did not answer
	 */
	void probe(Link link) {
		if (link.commands() instanceof RedisAdvancedClusterCommands<String, String> cluster) {
			// Masters that serve slots: a failed-over one keeps its flag but loses them.
			Map<RedisClusterNode, RedisCommands<String, String>> masters = cluster
				.nodes((node) -> node.is(NodeFlag.UPSTREAM) && !node.getSlots().isEmpty())
				.asMap();
			if (masters.isEmpty()) {
				throw new IllegalStateException("no cluster master serves slots");
			}
			masters.forEach((master, commands) -> {
				if (!commands.clusterInfo().contains("cluster_state:ok")) {
					throw new IllegalStateException("cluster master " + master.getUri().getHost() + ":"
							+ master.getUri().getPort() + " says the cluster is not ok");
				}
			});
			return;
		}
		String pong = link.commands().ping();
		if (!"PONG".equals(pong)) {
			throw new IllegalStateException("PING answered " + pong);
		}
	}

	public Endpoint endpoint() {
		return this.endpoint;
	}

	@Override
	public void close() {
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
	}

	private static RedisURI.Builder hostAndPort(String node, RedisURI.Builder builder) {
		int colon = node.lastIndexOf(':');
		return builder.withHost(node.substring(0, colon)).withPort(Integer.parseInt(node.substring(colon + 1)));
	}

	private static RedisURI.Builder withPassword(RedisURI.Builder builder, Endpoint endpoint) {
		return (endpoint.password() != null && !endpoint.password().isEmpty())
				? builder.withPassword(endpoint.password().toCharArray()) : builder;
	}

}
