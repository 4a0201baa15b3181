package run.trakr.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker-compose.yml} cannot run here (no Docker engine), so it is read twice: as
 * a real Compose interpolates it with no variables set ({@link RealCompose}: it must be
 * accepted, and the model it yields must agree with what the services read), and as
 * written (the services, their health checks and dependencies, the settings each service
 * reads, and image versions equal to the servers the tests run against).
 */
@ExtendWith(LocalStackExtension.class)
class ComposeFileIT {

	private static final Path REPOSITORY = Path.of(System.getProperty("trakr.repository.dir", ".."));

	private static JsonNode services;

	@BeforeAll
	static void readComposeFile() {
		services = new YAMLMapper().readTree(REPOSITORY.resolve("docker-compose.yml").toFile()).path("services");
	}

	@Test
	void aRealComposeStartsTheWholeSystemWithNoVariablesSet() throws Exception {
		JsonNode interpolated = RealCompose.config(REPOSITORY).path("services");
		assertThat(interpolated.propertyNames()).containsExactlyInAnyOrderElementsOf(services.propertyNames());
		// Nothing the services need may interpolate to nothing.
		assertThat(interpolated.at("/read-api/environment/SPRING_DATASOURCE_PASSWORD").asString()).isNotEmpty();
		assertThat(interpolated.at("/ingest-projector/environment/SPRING_KAFKA_BOOTSTRAPSERVERS").asString())
			.isEqualTo("kafka:9092");
		// Health checks ask the port each service listens on, after interpolation.
		for (String[] service : new String[][] { { "read-api", "MANAGEMENT_PORT" }, { "ingest-projector", "PORT" } }) {
			Matcher port = Pattern.compile("localhost:(\\d+)/actuator/health")
				.matcher(interpolated.path(service[0]).path("healthcheck").path("test").toString());
			assertThat(port.find()).as(service[0] + " health check").isTrue();
			assertThat(port.group(1)).as(service[0])
				.isEqualTo(interpolated.path(service[0]).path("environment").path(service[1]).asString());
		}
	}

	@Test
	void kafkaKeepsItsRecordsInItsVolume() throws Exception {
		JsonNode kafka = RealCompose.config(REPOSITORY).at("/services/kafka");
		String logDirs = kafka.at("/environment/KAFKA_LOG_DIRS").asString();
		assertThat(logDirs).as("KAFKA_LOG_DIRS (the image's default is under /tmp)").isNotEmpty();
		assertThat(volumeTargets(kafka)).as("kafka's named volumes").contains(logDirs);
	}

	@Test
	void sdksOnTheHostReachKafkaThroughAPublishedListener() throws Exception {
		JsonNode kafka = RealCompose.config(REPOSITORY).at("/services/kafka");
		Matcher host = Pattern.compile("(\\w+)://localhost:(\\d+)")
			.matcher(kafka.at("/environment/KAFKA_ADVERTISED_LISTENERS").asString());
		assertThat(host.find()).as("a listener advertised as localhost").isTrue();
		String port = host.group(2);
		assertThat(kafka.at("/environment/KAFKA_LISTENERS").asString()).contains(host.group(1) + "://:" + port);
		assertThat(RealCompose.publishedPorts(kafka)).contains("127.0.0.1:" + port + "->" + port);
		assertThat(kafka.at("/environment/KAFKA_INTER_BROKER_LISTENER_NAME").asString()).isEqualTo("PLAINTEXT");
	}

	@Test
	void theReadApiGetsACursorSecretWithoutAnyVariable() throws Exception {
		JsonNode interpolated = RealCompose.config(REPOSITORY).path("services");
		JsonNode readApi = interpolated.path("read-api");
		assertThat(readApi.path("environment").has("TRAKR_CURSOR_SECRET"))
			.as("an empty TRAKR_CURSOR_SECRET would override the file")
			.isFalse();
		String configTree = readApi.at("/environment/SPRING_CONFIG_IMPORT").asString();
		assertThat(configTree).startsWith("configtree:");
		String directory = configTree.substring("configtree:".length()).replaceAll("/$", "");
		String volume = volumeAt(readApi, directory);
		assertThat(volume).as("read-api mounts a volume at " + directory).isNotNull();
		JsonNode writer = interpolated.path("cursor-secret");
		assertThat(volumeAt(writer, directory)).isEqualTo(volume);
		String script = writer.path("entrypoint").toString();
		assertThat(script).contains(directory + "/trakr.cursor.secret", "/dev/urandom", "TRAKR_CURSOR_SECRET",
				"chown " + readApiImageUid());
		assertThat(readApi.at("/depends_on/cursor-secret/condition").asString())
			.isEqualTo("service_completed_successfully");
	}

	@Test
	void memoryLimitsFitASixteenGigabyteLaptop() throws Exception {
		assertThat(RealCompose.memoryLimitMiB(RealCompose.config(REPOSITORY).path("services")))
			.as("MiB for the whole stack, simulator included")
			.isLessThanOrEqualTo(8 * 1024);
	}

	@Test
	void prometheusScrapesBothServicesWhereTheirActuatorListens() throws Exception {
		JsonNode interpolated = RealCompose.config(REPOSITORY).path("services");
		JsonNode prometheus = interpolated.path("prometheus");
		assertThat(volumeAtSource(prometheus, "deploy/prometheus/prometheus.yml"))
			.isEqualTo("/etc/prometheus/prometheus.yml");
		JsonNode scrape = new YAMLMapper().readTree(REPOSITORY.resolve("deploy/prometheus/prometheus.yml").toFile());
		List<String> targets = new ArrayList<>();
		scrape.path("scrape_configs").forEach(job -> {
			assertThat(job.path("metrics_path").asString()).isEqualTo("/actuator/prometheus");
			job.at("/static_configs/0/targets").forEach(target -> targets.add(target.asString()));
		});
		assertThat(targets).containsExactlyInAnyOrder(
				"ingest-projector:" + interpolated.at("/ingest-projector/environment/PORT").asString(),
				"read-api:" + interpolated.at("/read-api/environment/MANAGEMENT_PORT").asString());
		for (String service : List.of("ingest-projector", "read-api")) {
			assertThat(interpolated.at("/" + service + "/environment/MANAGEMENT_ADDRESS").asString())
				.as(service + ": Actuator reachable from the scraper")
				.isEqualTo("0.0.0.0");
		}
		String readApiSettings = Files.readString(REPOSITORY.resolve("read-api/src/main/resources/application.yml"));
		String projectorSettings = Files
			.readString(REPOSITORY.resolve("ingest-projector/src/main/resources/application.yml"));
		assertThat(readApiSettings + projectorSettings).contains("prometheus");
	}

	@Test
	void definesTheWholeSystem() {
		assertThat(services.propertyNames()).containsExactlyInAnyOrder("kafka", "postgres", "redis", "ingest-projector",
				"read-api", "cursor-secret", "simulator", "grafana", "prometheus");
		assertThat(services.at("/simulator/profiles").toString()).isEqualTo("[\"simulator\"]");
		assertThat(services.at("/simulator/command/0").asString()).isEqualTo("simulate");
	}

	@Test
	void imageVersionsAreTheServersTheTestsUse(LocalStack stack) throws Exception {
		assertThat(image("kafka")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
		assertThat(image("postgres")).isEqualTo("postgres:" + postgresVersion(stack));
		// embedded-redis ships 6.2.11 for amd64 but 6.2.7 for arm64: the same minor line.
		String redis = redisVersion(stack);
		if (System.getProperty("os.arch").equals("aarch64")) {
			assertThat(image("redis")).startsWith("redis:" + redis.substring(0, redis.lastIndexOf('.') + 1));
		}
		else {
			assertThat(image("redis")).isEqualTo("redis:" + redis);
		}
	}

	@Test
	void everyLongRunningServiceHasAHealthCheckAndWaitsForHealthyDependencies() {
		for (String service : List.of("kafka", "postgres", "redis", "ingest-projector", "read-api", "grafana",
				"prometheus")) {
			assertThat(services.path(service).path("healthcheck").path("test").isArray()).as(service).isTrue();
		}
		RealCompose.assertDependenciesWaitForHealth(services);
	}

	@Test
	void servicesAreBuiltFromThisRepositoryAndGetTheSettingsTheyRead(LocalStack stack) throws IOException {
		for (String service : List.of("ingest-projector", "read-api", "simulator")) {
			JsonNode build = services.path(service).path("build");
			assertThat(REPOSITORY.resolve(build.path("dockerfile").asString())).isRegularFile();
			assertThat(REPOSITORY.resolve(build.path("args").path("MODULE").asString()).resolve("pom.xml"))
				.isRegularFile();
		}
		// The same variables the local stack hands the services in the demo and the
		// tests.
		Set<String> stackVariables = stack.environment().keySet();
		assertThat(environment("ingest-projector")).containsAll(without(stackVariables, "SPRING_DATA_REDIS_URL"));
		assertThat(environment("read-api")).containsAll(without(stackVariables, "SPRING_KAFKA_BOOTSTRAPSERVERS"));

		// Ports: the public doc's origin, and health checks on the ports the services
		// listen on.
		assertThat(services.at("/read-api/ports").toString()).contains("\"3000:3000\"");
		assertThat(services.at("/read-api/environment/PORT").asString()).isEqualTo("3000");
		assertThat(healthCheckPort("read-api"))
			.isEqualTo(services.at("/read-api/environment/MANAGEMENT_PORT").asString());
		assertThat(healthCheckPort("ingest-projector"))
			.isEqualTo(services.at("/ingest-projector/environment/PORT").asString());
		String readApiSettings = Files.readString(REPOSITORY.resolve("read-api/src/main/resources/application.yml"));
		assertThat(readApiSettings).contains("${PORT:", "${MANAGEMENT_PORT:", "${TRAKR_CURSOR_SECRET:");
	}

	@Test
	void grafanaGetsTheInfinityPluginTheDashboardAndItsDatasource() throws IOException {
		JsonNode grafana = services.path("grafana");
		String datasource = Files.readString(REPOSITORY.resolve("deploy/grafana/provisioning/datasources/trakr.yaml"));
		assertThat(datasource).contains("type: " + grafana.at("/environment/GF_PLUGINS_PREINSTALL").asString());
		assertThat(datasource).contains("${TRAKR_APP_URL}", "${TRAKR_READ_TOKEN}");
		assertThat(grafana.at("/environment/TRAKR_APP_URL").asString()).isEqualTo("http://read-api:3000");
		List<String> mounts = new ArrayList<>();
		grafana.path("volumes").forEach(volume -> mounts.add(volume.asString()));
		assertThat(mounts).contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
				"./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro");
		assertThat(REPOSITORY.resolve("deploy/grafana/dashboards/trakr.json")).isRegularFile();
		assertThat(REPOSITORY.resolve("deploy/grafana/dashboards/operations.json")).isRegularFile();
		JsonNode prometheus = new YAMLMapper()
			.readTree(REPOSITORY.resolve("deploy/grafana/provisioning/datasources/prometheus.yaml").toFile())
			.at("/datasources/0");
		assertThat(prometheus.path("uid").asString()).isEqualTo("prometheus");
		assertThat(prometheus.path("url").asString()).as("the compose service and Prometheus's port")
			.isEqualTo("http://prometheus:" + services.at("/prometheus/ports/0").asString().split(":")[2]);
		assertThat(grafana.at("/depends_on/prometheus/condition").asString()).isEqualTo("service_healthy");
		assertThat(Files.readString(REPOSITORY.resolve("deploy/grafana/provisioning/dashboards/trakr.yaml")))
			.contains("path: /var/lib/grafana/dashboards");
	}

	/** Targets of the service's named volumes (not bind mounts). */
	private static List<String> volumeTargets(JsonNode service) {
		return RealCompose.mounts(service)
			.stream()
			.filter(RealCompose.Mount::named)
			.map(RealCompose.Mount::target)
			.toList();
	}

	/** The named volume mounted at {@code target}, or null. */
	private static String volumeAt(JsonNode service, String target) {
		return RealCompose.mounts(service)
			.stream()
			.filter((mount) -> mount.target().equals(target))
			.map(RealCompose.Mount::source)
			.findFirst()
			.orElse(null);
	}

	/** Where a bind mount of the repository file {@code source} lands, or null. */
	private static String volumeAtSource(JsonNode service, String source) {
		return RealCompose.mounts(service)
			.stream()
			.filter((mount) -> mount.source().endsWith(source))
			.map(RealCompose.Mount::target)
			.findFirst()
			.orElse(null);
	}

	/**
	 * The uid the service images run as (the Dockerfile fixes it for the secret file).
	 */
	private static String readApiImageUid() throws IOException {
		Matcher uid = Pattern.compile("useradd --system --uid (\\d+) trakr")
			.matcher(Files.readString(REPOSITORY.resolve("deploy/Dockerfile")));
		assertThat(uid.find()).as("Dockerfile fixes the service user's uid").isTrue();
		return uid.group(1);
	}

	private static String image(String service) {
		return services.path(service).path("image").asString();
	}

	private static Set<String> environment(String service) {
		return new HashSet<>(services.path(service).path("environment").propertyNames());
	}

	private static Set<String> without(Set<String> names, String name) {
		Set<String> rest = new HashSet<>(names);
		rest.remove(name);
		return rest;
	}

	private static String healthCheckPort(String service) {
		Matcher port = Pattern.compile("localhost:(\\d+)/actuator/health")
			.matcher(services.path(service).path("healthcheck").path("test").toString());
		assertThat(port.find()).as(service).isTrue();
		return port.group(1);
	}

	private static String postgresVersion(LocalStack stack) throws SQLException {
		try (Connection db = DriverManager.getConnection(stack.jdbcUrl(), stack.postgresUser(),
				stack.postgresPassword()); ResultSet row = db.createStatement().executeQuery("SHOW server_version")) {
			row.next();
			return row.getString(1);
		}
	}

	/** {@code INFO server} over RESP: no client library needed for one command. */
	private static String redisVersion(LocalStack stack) throws IOException {
		try (Socket socket = new Socket(stack.redisHost(), stack.redisPort())) {
			OutputStream out = socket.getOutputStream();
			out.write("*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			Pattern field = Pattern.compile("redis_version:([0-9.]+)\r\n");
			byte[] buffer = new byte[8192];
			StringBuilder reply = new StringBuilder();
			Matcher found = field.matcher(reply);
			while (!found.find()) {
				int read = in.read(buffer);
				assertThat(read).as("INFO reply ended early: " + reply).isPositive();
				reply.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
				found = field.matcher(reply);
			}
			return found.group(1);
		}
	}

}
