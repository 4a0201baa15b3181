package run.trakr.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker-compose.ha.yml} merged over {@code docker-compose.yml} by a real Compose
 * ({@link RealCompose}, no variables set), as {@code docker compose -f docker-compose.yml
 * -f docker-compose.ha.yml up} would start it: three Kafka brokers that form one
 * three-voter quorum and replicate every topic three times, a PostgreSQL streaming
 * replica the read API's routes read, and Redis with a replica and three sentinels the
 * read API asks for the master. No Docker engine here, so what is checked is that every
 * name, port and setting one service relies on is what the other one declares.
 */
class ComposeHaFileIT {

	private static final Path REPOSITORY = Path.of(System.getProperty("trakr.repository.dir", ".."));

	private static final List<String> BROKERS = List.of("kafka", "kafka-2", "kafka-3");

	private static final List<String> SENTINELS = List.of("redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3");

	private static JsonNode services;

	private static JsonNode single;

	@BeforeAll
	static void readBothFiles() throws Exception {
		services = RealCompose.config(REPOSITORY, List.of("docker-compose.yml", "docker-compose.ha.yml"))
			.path("services");
		single = RealCompose.config(REPOSITORY).path("services");
	}

	@Test
	void addsTheReplicasToTheWholeSystem() {
		Set<String> added = new HashSet<>(services.propertyNames());
		single.propertyNames().forEach(added::remove);
		assertThat(added).containsExactlyInAnyOrder("kafka-2", "kafka-3", "postgres-replica", "redis-replica",
				"redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3");
		for (String service : services.propertyNames()) {
			// A one-shot job and the simulator's traffic excepted, every service is a
			// server that reports its health.
			if (!List.of("cursor-secret", "simulator").contains(service)) {
				assertThat(services.path(service).path("healthcheck").path("test").isArray()).as(service).isTrue();
			}
		}
		RealCompose.assertDependenciesWaitForHealth(services);
		// The replicas run the same servers as the primaries (whose versions
		// ComposeFileIT
		// ties to the tests').
		assertThat(image("kafka-2")).isEqualTo(image("kafka"));
		assertThat(image("postgres-replica")).isEqualTo(image("postgres"));
		for (String redis : List.of("redis-replica", "redis-sentinel-1")) {
			assertThat(image(redis)).isEqualTo(image("redis"));
		}
	}

	@Test
	void threeBrokersFormOneQuorumAndReplicateEveryTopicThreeTimes() {
		Set<String> nodeIds = new HashSet<>();
		Set<String> clusterIds = new HashSet<>();
		Set<String> volumes = new HashSet<>();
		Set<String> hostPorts = new HashSet<>();
		for (String broker : BROKERS) {
			JsonNode environment = services.path(broker).path("environment");
			String nodeId = environment.path("KAFKA_NODE_ID").asString();
			nodeIds.add(nodeId);
			clusterIds.add(environment.path("CLUSTER_ID").asString());
			// Every voter is a broker of this file, at its id and controller port.
			List<String> voters = List.of(environment.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asString().split(","));
			assertThat(voters).as(broker).hasSize(3);
			for (String voter : voters) {
				Matcher parts = Pattern.compile("(\\d+)@([\\w-]+):(\\d+)").matcher(voter);
				assertThat(parts.matches()).as(voter).isTrue();
				JsonNode named = services.path(parts.group(2)).path("environment");
				assertThat(named.path("KAFKA_NODE_ID").asString()).as(voter).isEqualTo(parts.group(1));
				assertThat(named.path("KAFKA_LISTENERS").asString()).contains("CONTROLLER://:" + parts.group(3));
			}
			assertThat(environment.path("KAFKA_ADVERTISED_LISTENERS").asString())
				.contains("PLAINTEXT://" + broker + ":9092");
			Matcher host = Pattern.compile("HOST://localhost:(\\d+)")
				.matcher(environment.path("KAFKA_ADVERTISED_LISTENERS").asString());
			assertThat(host.find()).as(broker + " is reachable from this machine").isTrue();
			assertThat(RealCompose.publishedPorts(services.path(broker)))
				.contains("127.0.0.1:" + host.group(1) + "->" + host.group(1));
			hostPorts.add(host.group(1));
			for (String setting : List.of("KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
					"KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR")) {
				assertThat(environment.path(setting).asString()).as(broker + " " + setting).isEqualTo("3");
			}
			assertThat(environment.path("KAFKA_MIN_INSYNC_REPLICAS").asString()).isEqualTo("2");
			String logDirs = environment.path("KAFKA_LOG_DIRS").asString();
			List<String> named = RealCompose.mounts(services.path(broker))
				.stream()
				.filter(mount -> mount.named() && mount.target().equals(logDirs))
				.map(RealCompose.Mount::source)
				.toList();
			assertThat(named).as(broker + " keeps its records in a volume").hasSize(1);
			volumes.add(named.get(0));
		}
		assertThat(nodeIds).containsExactlyInAnyOrder("1", "2", "3");
		assertThat(clusterIds).as("one cluster id, set").hasSize(1).doesNotContain("");
		assertThat(hostPorts).hasSize(3);
		assertThat(volumes).as("a volume each, none the single broker's")
			.hasSize(3)
			.doesNotContain(RealCompose.mounts(single.path("kafka")).get(0).source());
		assertThat(services.at("/ingest-projector/environment/SPRING_KAFKA_BOOTSTRAPSERVERS").asString().split(","))
			.containsExactlyInAnyOrder("kafka:9092", "kafka-2:9092", "kafka-3:9092");
	}

	@Test
	void theReadApiReadsTheReplicaThatStreamsFromThePrimary() throws Exception {
		JsonNode readApi = services.path("read-api").path("environment");
		assertThat(readApi.path("TRAKR_READREPLICA_URL").asString())
			.isEqualTo("jdbc:postgresql://postgres-replica:5432/trakr");
		assertThat(readApi.path("SPRING_DATASOURCE_URL").asString()).as("tokens on the primary")
			.isEqualTo("jdbc:postgresql://postgres:5432/trakr");
		assertThat(services.at("/read-api/depends_on/postgres-replica/condition").asString())
			.isEqualTo("service_healthy");

		JsonNode replica = services.path("postgres-replica");
		String script = replica.path("entrypoint").toString();
		assertThat(script).contains("pg_basebackup -h postgres -U postgres", " -R ", "hot_standby_feedback=on");
		assertThat(replica.at("/environment/PGPASSWORD").asString())
			.isEqualTo(services.at("/postgres/environment/POSTGRES_PASSWORD").asString());
		assertThat(RealCompose.mounts(replica).get(0).target()).isEqualTo(replica.at("/environment/PGDATA").asString());

		// The primary accepts the replica's replication connection with a password.
		List<String> command = new ArrayList<>();
		services.at("/postgres/command").forEach(part -> command.add(part.asString()));
		String hbaFile = command.stream()
			.filter(part -> part.startsWith("hba_file="))
			.findFirst()
			.orElseThrow()
			.substring("hba_file=".length());
		String source = RealCompose.mounts(services.path("postgres"))
			.stream()
			.filter(mount -> mount.target().equals(hbaFile))
			.map(RealCompose.Mount::source)
			.findFirst()
			.orElseThrow();
		List<String> rules = Files.readAllLines(REPOSITORY.resolve(source));
		assertThat(rules).anyMatch(rule -> rule.matches("host\\s+replication\\s+all\\s+all\\s+scram-sha-256"));
		assertThat(rules).anyMatch(rule -> rule.matches("local\\s+all\\s+all\\s+trust"));
	}

	@Test
	void theReadApiAsksThreeSentinelsThatWatchTheMaster() {
		JsonNode readApi = services.path("read-api").path("environment");
		String master = readApi.path("SPRING_DATA_REDIS_SENTINEL_MASTER").asString();
		assertThat(master).isNotEmpty();
		List<String> nodes = List.of(readApi.path("SPRING_DATA_REDIS_SENTINEL_NODES").asString().split(","));
		assertThat(nodes).hasSize(3);
		Set<String> named = new HashSet<>();
		for (String node : nodes) {
			String[] hostPort = node.split(":");
			named.add(hostPort[0]);
			String configuration = services.path(hostPort[0]).path("entrypoint").get(2).asString();
			assertThat(configuration).as(node).contains("port " + hostPort[1] + "\n");
			// Hostnames must be allowed before the monitor line names one.
			assertThat(configuration.indexOf("sentinel resolve-hostnames yes")).isNotNegative()
				.isLessThan(configuration.indexOf("sentinel monitor"));
			Matcher monitor = Pattern.compile("sentinel monitor (\\S+) (\\S+) (\\d+) (\\d+)").matcher(configuration);
			assertThat(monitor.find()).isTrue();
			assertThat(monitor.group(1)).isEqualTo(master);
			assertThat(monitor.group(2)).isEqualTo("redis");
			assertThat(Integer.parseInt(monitor.group(4))).as("a majority of three").isEqualTo(2);
			assertThat(services.at("/read-api/depends_on/" + hostPort[0] + "/condition").asString())
				.isEqualTo("service_healthy");
		}
		assertThat(named).containsExactlyInAnyOrderElementsOf(SENTINELS);
		assertThat(services.at("/redis-replica/command").toString()).contains("\"--replicaof\",\"redis\",\"6379\"");
	}

	@Test
	void memoryLimitsStillFitASixteenGigabyteMachine() {
		assertThat(RealCompose.memoryLimitMiB(services)).as("MiB for the whole stack").isLessThanOrEqualTo(10 * 1024);
	}

	private static String image(String service) {
		return services.path(service).path("image").asString();
	}

}
