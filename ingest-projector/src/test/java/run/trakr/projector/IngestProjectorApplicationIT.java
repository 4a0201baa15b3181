package run.trakr.projector;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.DEAD_LETTERS;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
// Closed after the class, while the local stack still runs: a cached context would close
// at JVM exit, after the stack, and its pool would retry a stopped PostgreSQL for 30 s.
@DirtiesContext
@ExtendWith(LocalStackExtension.class)
class IngestProjectorApplicationIT {

	@DynamicPropertySource
	static void localStack(DynamicPropertyRegistry registry) {
		LocalStackExtension.stack().springProperties().forEach((key, value) -> registry.add(key, () -> value));
	}

	@Autowired
	DSLContext db;

	@Value("${local.server.port}")
	int port;

	@Value("${spring.kafka.consumer.group-id}")
	String groupId;

	@Test
	void startsAgainstTheLocalStackWithTheSchemaMigrated() {
		assertThat(this.db.fetchCount(DEAD_LETTERS)).isZero();
		assertThat(this.db.fetchValue("SELECT count(*) FROM flyway_schema_history WHERE success", Long.class))
			.isEqualTo(12L);
	}

	@Test
	void consumesAsTheConfiguredConsumerGroup() {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
				LocalStackExtension.stack().kafkaBootstrapServers()))) {
			await().untilAsserted(() -> assertThat(admin.listGroups().all().get().stream().map(GroupListing::groupId))
				.contains(this.groupId));
		}
	}

	@Test
	void healthReflectsPostgresKafkaAndTheRunningListener() {
		await().untilAsserted(() -> {
			HttpResponse<String> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health")).build(),
						HttpResponse.BodyHandlers.ofString());
			JsonNode health = JsonMapper.builder().build().readTree(response.body());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(health.path("status").asString()).isEqualTo("UP");
			assertThat(health.path("components").path("db").path("status").asString()).isEqualTo("UP");
			assertThat(health.path("components").path("kafka").path("status").asString()).isEqualTo("UP");
			assertThat(health.path("components").path("kafka").path("details").path("listener").asString())
				.isEqualTo("running");
		});
	}

}
