package run.trakr.endtoend;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.readapi.freshness.ProjectionFreshness;
import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The freshness headers against a packaged projector on real Kafka and PostgreSQL: an
 * idle, caught-up system reads lag 0 with a current data-as-of; with the projector
 * stopped and records waiting the lag grows while data-as-of stands; once it is back and
 * caught up, lag is 0 again within seconds (extensions.md §2).
 */
@ExtendWith(LocalStackExtension.class)
class FreshnessIT {

	@Test
	void lagGrowsWhileRecordsWaitAndReturnsToZeroOnceCaughtUp(LocalStack stack) throws Exception {
		String topic = IngestPopulation.newTopic(stack, 2);
		List<IngestPopulation.Record> records = IngestPopulation.generate(5L, 20).shuffled(1);
		int half = records.size() / 2;
		try (ReadApiInstance api = ReadApiInstance.start(stack, Map.of("trakr.freshness.topic", topic))) {
			OrgToken caller = new Admin(stack).createOrgWithToken("pro");
			assertThat(api.get("/api/workflows", bearer(caller)).headers().firstValue(ProjectionFreshness.DATA_AS_OF))
				.as("nothing recorded yet: no header")
				.isEmpty();

			// Closed however the checks end: a failed test must leave no projector
			// behind.
			try (ProjectorProcess projector = ProjectorProcess.start(stack, topic)) {
				IngestPopulation.publish(stack, topic, records.subList(0, half));
				await().atMost(Duration.ofSeconds(90))
					.ignoreExceptions()
					.pollInterval(Duration.ofMillis(500))
					.untilAsserted(() -> assertThat(lag(api, caller)).isEqualByComparingTo("0"));
				// Idle and caught up: data-as-of keeps up with the clock, the lag stays
				// 0.
				Instant idleFrom = dataAsOf(api, caller);
				Thread.sleep(4_000);
				assertThat(lag(api, caller)).isEqualByComparingTo("0");
				Instant stillIdle = dataAsOf(api, caller);
				assertThat(stillIdle).isAfter(idleFrom).isAfter(Instant.now().minusSeconds(5));
				HttpResponse<String> refused = api.get("/api/runs?limit=0", bearer(caller));
				assertThat(refused.statusCode()).isEqualTo(400);
				assertThat(refused.headers().firstValue(ProjectionFreshness.PROJECTION_LAG))
					.as("a 4xx after the gate carries the headers too")
					.hasValue("0");
				// The same in the overview's body, for a Grafana panel (Infinity reads no
				// headers).
				JsonNode overview = JsonMapper.builder()
					.build()
					.readTree(api.get("/api/metrics/overview", bearer(caller)).body());
				assertThat(overview.path("projection_lag_seconds").decimalValue()).isEqualByComparingTo("0");
				assertThat(Instant.parse(overview.path("data_as_of").asString()))
					.isAfter(Instant.now().minusSeconds(8));
			}
			IngestPopulation.publish(stack, topic, records.subList(half, records.size()));
			// Lag reads 0 while the last confirmation is recent (up to 6 s), then grows.
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> lag(api, caller).signum() > 0);
			Instant stopped = dataAsOf(api, caller);
			BigDecimal lagThen = lag(api, caller);
			Thread.sleep(3_000);
			assertThat(dataAsOf(api, caller)).as("nothing projected: data-as-of stands").isEqualTo(stopped);
			assertThat(lag(api, caller)).as("the lag grows").isGreaterThan(lagThen.add(BigDecimal.valueOf(2)));

			try (ProjectorProcess back = ProjectorProcess.start(stack, topic)) {
				await().atMost(Duration.ofSeconds(90))
					.ignoreExceptions()
					.pollInterval(Duration.ofMillis(500))
					.untilAsserted(() -> assertThat(lag(api, caller)).isEqualByComparingTo("0"));
				assertThat(dataAsOf(api, caller)).isAfter(stopped);
			}
		}
	}

	private static BigDecimal lag(ReadApiInstance api, OrgToken caller) {
		HttpResponse<String> response = api.get("/api/workflows", bearer(caller));
		assertThat(response.statusCode()).isEqualTo(200);
		return new BigDecimal(response.headers().firstValue(ProjectionFreshness.PROJECTION_LAG).orElseThrow());
	}

	private static Instant dataAsOf(ReadApiInstance api, OrgToken caller) {
		return Instant.parse(api.get("/api/workflows", bearer(caller))
			.headers()
			.firstValue(ProjectionFreshness.DATA_AS_OF)
			.orElseThrow());
	}

	private static String bearer(OrgToken caller) {
		return "Bearer " + caller.token();
	}

}
