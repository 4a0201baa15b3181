package run.trakr.readapi.ratelimit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.readapitest.support.ReadApiReplicas;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas, one Redis: the quota of a token is shared, refused requests do not count,
 * and revocation reaches every replica at once. The two minute-long tests run side by
 * side (each with its own token), never beside another class.
 */
@ExtendWith(LocalStackExtension.class)
class SharedRateLimitIT {

	private static final Pattern REMAINING = Pattern.compile("\"default\";r=(\\d+);t=(\\d+)");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	static ReadApiReplicas replicas;

	static Admin admin;

	@BeforeAll
	static void start(LocalStack stack) {
		// The shared limit is under test, not the timeout: a burst of 400 requests on
		// CI's two cores once held a Redis command past the default 500 ms, and the
		// replicas rightly fell back to limiting alone. Nor the per-org concurrency
		// limit, whose 429s a burst on a busy machine can also meet.
		replicas = ReadApiReplicas.start(stack, 2,
				Map.of("trakr.rate-limit.redis-timeout", "5s", "trakr.rate-limit.concurrent-requests-per-org", "1000"));
		admin = new Admin(stack);
	}

	@AfterAll
	static void stop() {
		replicas.close();
	}

	@Test
	@Execution(ExecutionMode.CONCURRENT)
	void fourHundredConcurrentRequestsOnTwoReplicasAcceptExactlyThreeHundred() throws Exception {
		OrgToken token = admin.createOrgWithToken("pro");
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		for (int i = 0; i < 400; i++) {
			ReadApiInstance replica = replicas.roundRobin(i);
			responses.add(HTTP.sendAsync(request(replica, token), HttpResponse.BodyHandlers.ofString()));
		}
		List<HttpResponse<String>> done = responses.stream().map(CompletableFuture::join).toList();

		assertThat(done.stream().filter(r -> r.statusCode() == 200)).hasSize(300);
		List<HttpResponse<String>> refused = done.stream().filter(r -> r.statusCode() == 429).toList();
		assertThat(refused).hasSize(100);
		long retryAfter = 0;
		for (HttpResponse<String> response : refused) {
			assertThat(response.body()).contains("\"code\":\"rate_limited\"");
			String value = response.headers().firstValue("Retry-After").orElseThrow();
			assertThat(value).matches("\\d+");
			assertThat(Long.parseLong(value)).isBetween(1L, 60L);
			retryAfter = Math.max(retryAfter, Long.parseLong(value));
			assertThat(remaining(response)).isZero();
		}
		// Refused requests were not counted: once the advertised wait is over, a request
		// succeeds.
		Thread.sleep(TimeUnit.SECONDS.toMillis(retryAfter));
		HttpResponse<String> retry = HTTP.send(request(replicas.second(), token), HttpResponse.BodyHandlers.ofString());
		assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
	}

	@Test
	@Execution(ExecutionMode.CONCURRENT)
	void threeHundredRequestsPacedEvenlyOverAMinuteAreNeverRefused() throws Exception {
		OrgToken token = admin.createOrgWithToken("pro");
		ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		try {
			for (int i = 0; i < 300; i++) {
				ReadApiInstance replica = replicas.roundRobin(i);
				CompletableFuture<HttpResponse<String>> response = new CompletableFuture<>();
				pacer.schedule(() -> HTTP.sendAsync(request(replica, token), HttpResponse.BodyHandlers.ofString())
					.whenComplete((r, ex) -> {
						if (ex != null) {
							response.completeExceptionally(ex);
						}
						else {
							response.complete(r);
						}
					}), i * 200L, TimeUnit.MILLISECONDS);
				responses.add(response);
			}
			List<HttpResponse<String>> done = responses.stream().map(CompletableFuture::join).toList();

			assertThat(done).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
			// Every one of them was counted once, on both replicas alike: the remaining
			// quotas they were told are 299 down to 0, each once (in whatever order a
			// slow
			// first request let them be counted).
			assertThat(done.stream().map(SharedRateLimitIT::remaining).sorted().toList())
				.isEqualTo(IntStream.range(0, 300).boxed().toList());
		}
		finally {
			pacer.shutdownNow();
		}
	}

	@Test
	void aRevocationReachesEveryReplicaAtOnce() throws Exception {
		OrgToken token = admin.createOrgWithToken("pro");
		assertThat(HTTP.send(request(replicas.first(), token), HttpResponse.BodyHandlers.ofString()).statusCode())
			.isEqualTo(200);
		assertThat(HTTP.send(request(replicas.second(), token), HttpResponse.BodyHandlers.ofString()).statusCode())
			.isEqualTo(200);

		admin.revoke(token);

		for (ReadApiInstance replica : replicas.all()) {
			HttpResponse<String> response = HTTP.send(request(replica, token), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(401);
			assertThat(response.body()).contains("\"code\":\"revoked_token\"");
		}
	}

	private static HttpRequest request(ReadApiInstance replica, OrgToken token) {
		return HttpRequest.newBuilder(URI.create(replica.baseUrl() + "/api/workflows"))
			.header("Authorization", "Bearer " + token.token())
			.timeout(Duration.ofSeconds(30))
			.build();
	}

	private static int remaining(HttpResponse<String> response) {
		Matcher matcher = REMAINING.matcher(response.headers().firstValue("RateLimit").orElseThrow());
		assertThat(matcher.matches()).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

}
