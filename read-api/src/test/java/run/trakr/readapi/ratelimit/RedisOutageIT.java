package run.trakr.readapi.ratelimit;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
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
import run.trakr.readapitest.support.ReadApiReplicas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(LocalStackExtension.class)
class RedisOutageIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static ReadApiReplicas replicas;

	static Admin admin;

	static LocalStack stack;

	@BeforeAll
	static void start(LocalStack localStack) {
		stack = localStack;
		replicas = ReadApiReplicas.startTwo(stack);
		admin = new Admin(stack);
	}

	@AfterAll
	static void stop() {
		replicas.close();
	}

	@AfterEach
	void redisIsBack() {
		stack.restartRedis();
	}

	@Test
	void readsAreServedPerReplicaWhileRedisIsDownAndSharedLimitsResumeAfter() {
		OrgToken token = admin.createOrgWithToken("pro");
		OrgToken doomed = admin.createOrgWithToken("pro");
		for (ReadApiInstance replica : replicas.all()) {
			assertThat(replica.get("/api/runs", bearer(token)).statusCode()).isEqualTo(200);
			assertThat(replica.get("/api/runs", bearer(doomed)).statusCode()).isEqualTo(200);
		}
		assertThat(health(replicas.first()).path("components").path("rateLimit").path("status").asString())
			.isEqualTo("UP");

		stack.stopRedis();

		// No revocation mark can be left in Redis now; the replicas must ask the
		// database.
		assertThat(admin.run("token", "revoke", "--org", doomed.orgId().toString(), "--token",
				doomed.tokenId().toString()))
			.contains("Warning");
		for (ReadApiInstance replica : replicas.all()) {
			HttpResponse<String> response = replica.get("/api/runs", bearer(doomed));
			assertThat(response.statusCode()).isEqualTo(401);
			assertThat(response.body()).contains("revoked_token");
		}

		// Served at once (the client would time out after 10 s), limited by each replica
		// on its own.
		for (int i = 0; i < 20; i++) {
			HttpResponse<String> response = replicas.roundRobin(i).get("/api/runs", bearer(token));
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			assertThat(response.headers().firstValue("RateLimit")).isPresent();
		}
		JsonNode degraded = health(replicas.first());
		assertThat(degraded.path("status").asString()).isEqualTo("DEGRADED");
		assertThat(degraded.path("components").path("rateLimit").path("details").path("mode").asString())
			.isEqualTo("per-replica");
		assertThat(metric(replicas.first(), "trakr.ratelimit.decisions?tag=source:local-fallback"))
			.isGreaterThanOrEqualTo(10);
		assertThat(metric(replicas.first(), "trakr.ratelimit.redis.available")).isZero();

		stack.restartRedis();

		// Within two seconds of Redis answering (a probe each second; Lettuce's own
		// reconnect back-off once took 13.6 s), plus slack for a busy machine.
		await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
			replicas.first().get("/api/runs", bearer(token));
			replicas.second().get("/api/runs", bearer(token));
			assertThat(health(replicas.first()).path("status").asString()).isEqualTo("UP");
			assertThat(health(replicas.second()).path("status").asString()).isEqualTo("UP");
		});
		assertThat(replicas.first().get("/api/runs", bearer(doomed)).statusCode()).isEqualTo(401);
		assertThat(replicas.second().get("/api/runs", bearer(doomed)).statusCode()).isEqualTo(401);
		// Shared again: a quota used up on one replica is used up on the other.
		OrgToken fresh = admin.createOrgWithToken("pro");
		for (int i = 0; i < 300; i++) {
			assertThat(replicas.first().get("/api/workflows", bearer(fresh)).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> refused = replicas.second().get("/api/workflows", bearer(fresh));
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
	}

	@Test
	void aStalledRedisCostsOneTimeoutPerReplicaNotOnePerRequest() {
		OrgToken token = admin.createOrgWithToken("pro");
		assertThat(replicas.first().get("/api/runs", bearer(token)).statusCode()).isEqualTo(200);

		stack.pauseRedis();
		int waited = 0;
		try {
			for (int i = 0; i < 30; i++) {
				long started = System.nanoTime();
				HttpResponse<String> response = replicas.first().get("/api/runs", bearer(token));
				// The limiter's Redis timeout is 500 ms: a request that took 400 ms
				// waited
				// on it.
				waited += (System.nanoTime() - started >= 400_000_000L) ? 1 : 0;
				assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			}
			assertThat(waited).as("requests that waited on the stalled Redis").isLessThanOrEqualTo(1);
			assertThat(health(replicas.first()).path("status").asString()).isEqualTo("DEGRADED");
		}
		finally {
			stack.resumeRedis();
		}

		await().atMost(Duration.ofSeconds(3))
			.untilAsserted(() -> assertThat(health(replicas.first()).path("status").asString()).isEqualTo("UP"));
		double shared = metric(replicas.first(), "trakr.ratelimit.decisions?tag=source:redis");
		assertThat(replicas.first().get("/api/runs", bearer(token)).statusCode()).isEqualTo(200);
		assertThat(metric(replicas.first(), "trakr.ratelimit.decisions?tag=source:redis")).isEqualTo(shared + 1);
	}

	private static JsonNode health(ReadApiInstance replica) {
		HttpResponse<String> response = replica.management("/actuator/health");
		assertThat(response.statusCode()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private static double metric(ReadApiInstance replica, String nameAndTag) {
		JsonNode body = JSON.readTree(replica.management("/actuator/metrics/" + nameAndTag).body());
		return body.path("measurements").get(0).path("value").asDouble();
	}

	private static String bearer(OrgToken token) {
		return "Bearer " + token.token();
	}

}
