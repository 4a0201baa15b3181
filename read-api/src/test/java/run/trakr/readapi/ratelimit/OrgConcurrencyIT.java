package run.trakr.readapi.ratelimit;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.SimulatedFailures;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One org's parallel heavy requests take at most its share of a replica: the rest wait
 * for a turn or get a 429, and another org's requests are served meanwhile.
 */
@ExtendWith(LocalStackExtension.class)
class OrgConcurrencyIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static ReadApiInstance api;

	static Admin admin;

	@BeforeAll
	static void start(LocalStack stack) {
		api = ReadApiInstance.start(stack);
		admin = new Admin(stack);
	}

	@AfterAll
	static void stop() {
		api.close();
	}

	@Test
	void oneOrgRunsAtMostSixRequestsAtOnceWhileOthersAreServed() throws Exception {
		OrgToken busy = admin.createOrgWithToken("pro");
		OrgToken other = admin.createOrgWithToken("pro");
		String slow = "/api/runs/" + UUID.randomUUID() + "?simulate=slow";
		ExecutorService clients = Executors.newFixedThreadPool(24);
		List<CompletableFuture<HttpResponse<String>>> heavy = new ArrayList<>();
		for (int i = 0; i < 24; i++) {
			heavy.add(CompletableFuture.supplyAsync(() -> api.get(slow, "Bearer " + busy.token()), clients));
		}
		Thread.sleep(200);
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> served = api.get("/api/alert-events", "Bearer " + other.token());
			assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
		}
		int refused = 0;
		for (CompletableFuture<HttpResponse<String>> request : heavy) {
			HttpResponse<String> response = request.join();
			if (response.statusCode() == 429) {
				refused++;
				JsonNode body = JSON.readTree(response.body());
				assertThat(body.get("code").asString()).isEqualTo("rate_limited");
				assertThat(body.get("error").asString()).contains("at once");
				assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
			}
			else {
				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			}
		}
		clients.shutdown();

		assertThat(SimulatedFailures.MOST_AT_ONCE.get()).isEqualTo(6);
		// 24 requests of 0.7 s, six at a time, waiting at most 2 s for a turn.
		assertThat(refused).isBetween(1, 24 - 12);
	}

}
