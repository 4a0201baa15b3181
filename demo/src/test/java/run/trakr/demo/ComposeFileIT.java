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
 * {@code docker-compose.yml} cannot run here (no Docker engine), so its structure is
 * checked instead: the services, their health checks and dependencies, the settings each
 * service reads, and image versions equal to the servers the tests run against.
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
	void definesTheWholeSystem() {
		assertThat(services.propertyNames()).containsExactlyInAnyOrder("kafka", "postgres", "redis", "ingest-projector",
				"read-api", "simulator", "grafana");
		assertThat(services.at("/simulator/profiles").toString()).isEqualTo("[\"simulator\"]");
		assertThat(services.at("/simulator/command/0").asString()).isEqualTo("simulate");
	}

	@Test
	void imageVersionsAreTheServersTheTestsUse(LocalStack stack) throws Exception {
		assertThat(image("kafka")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
		assertThat(image("postgres")).isEqualTo("postgres:" + postgresVersion(stack));
		assertThat(image("redis")).isEqualTo("redis:" + redisVersion(stack));
	}

	@Test
	void everyLongRunningServiceHasAHealthCheckAndWaitsForHealthyDependencies() {
		for (String service : List.of("kafka", "postgres", "redis", "ingest-projector", "read-api", "grafana")) {
			assertThat(services.path(service).path("healthcheck").path("test").isArray()).as(service).isTrue();
		}
		for (String service : services.propertyNames()) {
			for (String dependency : services.path(service).path("depends_on").propertyNames()) {
				assertThat(services.has(dependency)).as(service + " -> " + dependency).isTrue();
				assertThat(services.path(service).path("depends_on").path(dependency).path("condition").asString())
					.as(service + " -> " + dependency)
					.isEqualTo("service_healthy");
			}
		}
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
		assertThat(Files.readString(REPOSITORY.resolve("deploy/grafana/provisioning/dashboards/trakr.yaml")))
			.contains("path: /var/lib/grafana/dashboards");
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
