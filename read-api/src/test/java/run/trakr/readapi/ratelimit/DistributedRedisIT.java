package run.trakr.readapi.ratelimit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.RedisCluster;
import run.trakr.localstack.RedisSentinel;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.ReadApiReplicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shared limit on the distributed forms of Redis users run, started by the local
 * stack: a Redis Cluster (three masters, three replicas) and a sentinel group. Two
 * replicas, one token: 400 concurrent requests accept exactly 300; a revocation reaches
 * both; the master holding the token's keys goes away and requests are still served,
 * limited per replica, health saying so; once Redis has failed over, the shared limit
 * resumes by itself.
 */
@ExtendWith(LocalStackExtension.class)
class DistributedRedisIT {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The form under test, with what the test needs of it. */
	private interface Form extends AutoCloseable {

		Map<String, String> springProperties();

		/** The port of the master that holds this token's keys now. */
		int masterFor(OrgToken token);

		void stop(int port);

		void restart(int port);

		/** Waits until another master holds the token's keys. */
		void awaitFailover(OrgToken token, int former);

		@Override
		void close();

	}

	@ParameterizedTest
	@ValueSource(strings = { "cluster", "sentinel" })
	void theQuotaIsSharedAndSurvivesTheLossOfAMaster(String name, LocalStack stack) throws Exception {
		try (Form form = start(name, stack)) {
			Map<String, Object> properties = new HashMap<>(form.springProperties());
			// The shared limit is under test, not the timeout (see SharedRateLimitIT),
			// nor
			// the per-org concurrency limit: 400 requests at once on a busy machine
			// waited
			// past its turn and got 429s of their own (191 of the 300 served, in a run).
			properties.put("trakr.rate-limit.redis-timeout", "2s");
			properties.put("trakr.rate-limit.concurrent-requests-per-org", "1000");
			Map<String, String> environment = LocalStack.environment(form.springProperties());
			Admin admin = new Admin(stack, environment);
			try (ReadApiReplicas replicas = ReadApiReplicas.start(stack, 2, properties)) {
				for (ReadApiInstance replica : replicas.all()) {
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(rateLimitHealth(replica)).isEqualTo("UP"));
				}
				exactlyThreeHundredOfFourHundred(replicas, admin.createOrgWithToken("pro"));

				OrgToken revoked = admin.createOrgWithToken("pro");
				assertThat(replicas.first().get("/api/workflows", bearer(revoked)).statusCode()).isEqualTo(200);
				assertThat(admin.run("token", "revoke", "--org", revoked.orgId().toString(), "--token",
						revoked.tokenId().toString()))
					.doesNotContain("Warning");
				for (ReadApiInstance replica : replicas.all()) {
					assertThat(replica.get("/api/workflows", bearer(revoked)).body()).contains("revoked_token");
				}

				OrgToken token = admin.createOrgWithToken("pro");
				assertThat(replicas.first().get("/api/workflows", bearer(token)).statusCode()).isEqualTo(200);
				int master = form.masterFor(token);
				form.stop(master);
				try {
					for (int i = 0; i < 20; i++) {
						HttpResponse<String> response = replicas.roundRobin(i).get("/api/workflows", bearer(token));
						assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
					}
					for (ReadApiInstance replica : replicas.all()) {
						await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
							replica.get("/api/workflows", bearer(token));
							JsonNode health = rateLimit(replica);
							assertThat(health.path("status").asString()).isEqualTo("DEGRADED");
							assertThat(health.path("details").path("reason").asString()).isNotBlank();
						});
					}

					form.awaitFailover(token, master);
					// A few seconds here; the bound is for a slow, shared machine.
					for (ReadApiInstance replica : replicas.all()) {
						await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
							replica.get("/api/workflows", bearer(token));
							JsonNode health = rateLimit(replica);
							assertThat(health.path("status").asString()).as(health.toString()).isEqualTo("UP");
						});
					}
					// Shared again: a quota used up on one replica is used up on the
					// other.
					OrgToken fresh = admin.createOrgWithToken("pro");
					for (int i = 0; i < 300; i++) {
						assertThat(replicas.first().get("/api/workflows", bearer(fresh)).statusCode()).isEqualTo(200);
					}
					assertThat(replicas.second().get("/api/workflows", bearer(fresh)).statusCode()).isEqualTo(429);
				}
				finally {
					form.restart(master);
				}
			}
		}
	}

	private static void exactlyThreeHundredOfFourHundred(ReadApiReplicas replicas, OrgToken token) {
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 400; i++) {
			responses.add(HTTP
				.sendAsync(HttpRequest.newBuilder(URI.create(replicas.roundRobin(i).baseUrl() + "/api/workflows"))
					.header("Authorization", bearer(token))
					.timeout(Duration.ofSeconds(30))
					.build(), HttpResponse.BodyHandlers.ofString()));
		}
		List<HttpResponse<String>> done = responses.stream().map(CompletableFuture::join).toList();
		assertThat(done.stream().filter(r -> r.statusCode() == 200)).hasSize(300);
		assertThat(done.stream().filter(r -> r.statusCode() == 429))
			.allSatisfy(r -> assertThat(r.body()).contains("\"code\":\"rate_limited\""))
			.hasSize(100);
	}

	private static Form start(String name, LocalStack stack) {
		if (name.equals("cluster")) {
			RedisCluster cluster = stack.startRedisCluster();
			return new Form() {

				@Override
				public Map<String, String> springProperties() {
					return cluster.springProperties();
				}

				@Override
				public int masterFor(OrgToken token) {
					return cluster.masterOf(SharedRevocations.windowKey(token.tokenId().toString()));
				}

				@Override
				public void stop(int port) {
					cluster.stop(port);
				}

				@Override
				public void restart(int port) {
					cluster.restart(port);
				}

				@Override
				public void awaitFailover(OrgToken token, int former) {
					assertThat(cluster.awaitMasterOf(SharedRevocations.windowKey(token.tokenId().toString()),
							Duration.ofSeconds(30)))
						.isNotEqualTo(former);
				}

				@Override
				public void close() {
					cluster.close();
				}

			};
		}
		RedisSentinel group = stack.startRedisSentinel();
		return new Form() {

			@Override
			public Map<String, String> springProperties() {
				return group.springProperties();
			}

			@Override
			public int masterFor(OrgToken token) {
				return group.masterPort();
			}

			@Override
			public void stop(int port) {
				group.stop(port);
			}

			@Override
			public void restart(int port) {
				group.restart(port);
			}

			@Override
			public void awaitFailover(OrgToken token, int former) {
				group.awaitFailover(former, Duration.ofSeconds(30));
			}

			@Override
			public void close() {
				group.close();
			}

		};
	}

	private static String rateLimitHealth(ReadApiInstance replica) {
		return rateLimit(replica).path("status").asString();
	}

	/** The {@code rateLimit} component of the health endpoint, with its details. */
	private static JsonNode rateLimit(ReadApiInstance replica) {
		return JSON.readTree(replica.management("/actuator/health").body()).path("components").path("rateLimit");
	}

	private static String bearer(OrgToken token) {
		return "Bearer " + token.token();
	}

}
