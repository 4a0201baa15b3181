package run.trakr.readapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "trakr.cursor.secret=read-api-tests-cursor-secret-4f1e9a7c2b" })
// Closed after the class, while the local stack still runs: a cached context would close
// at JVM exit, after the stack, and its pool would retry a stopped PostgreSQL for 30 s.
@DirtiesContext
@ExtendWith(LocalStackExtension.class)
class ReadApiApplicationIT {

	@DynamicPropertySource
	static void localStack(DynamicPropertyRegistry registry) {
		LocalStackExtension.stack().springProperties().forEach((key, value) -> registry.add(key, () -> value));
	}

	@Value("${local.management.port}")
	int managementPort;

	@Test
	void reportsHealthOfPostgresAndTheSharedRateLimiterOnTheManagementPort() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/health"))
				.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode health = JsonMapper.builder().build().readTree(response.body());
		assertThat(health.path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("db").path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("rateLimit").path("status").asString()).isEqualTo("UP");
		assertThat(health.path("components").path("rateLimit").path("details").path("mode").asString())
			.isEqualTo("shared");
	}

}
