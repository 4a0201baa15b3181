package run.trakr.readapi.system;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL frozen with {@code SIGSTOP} (not down: connections stay open, nothing
 * answers) while requests are in flight: every request ends within a few seconds, as a
 * 503 in the documented shape or, while the revisions it needs are remembered, a 200, the
 * log holds one line per failure and no stack trace, and the service answers again as
 * soon as PostgreSQL does.
 */
@ExtendWith({ LocalStackExtension.class, OutputCaptureExtension.class })
class DatabaseStallIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Pool timeout 2 s, socket timeout 5 s, plus slack for a busy machine. */
	private static final Duration LONGEST = Duration.ofSeconds(8);

	static ReadApiInstance api;

	static OrgToken caller;

	static LocalStack stack;

	@BeforeAll
	static void start(LocalStack localStack) {
		stack = localStack;
		// Answers that need no statement (revisions remembered) come back at once and
		// would spend a plan's quota in a second.
		api = ReadApiInstance.start(stack, Map.of("trakr.rate-limit.limit", 1_000_000_000));
		caller = new Admin(stack).createOrgWithToken("pro");
	}

	@AfterAll
	static void stop() {
		api.close();
	}

	record Answer(int status, String code, Duration took) {
	}

	@Test
	void requestsDuringAStallEndAs503WithinSecondsAndServiceResumesAfter(CapturedOutput output) throws Exception {
		assertThat(api.get("/api/workflows", "Bearer " + caller.token()).statusCode()).isEqualTo(200);
		List<Answer> answers = new CopyOnWriteArrayList<>();
		AtomicBoolean running = new AtomicBoolean(true);
		ExecutorService clients = Executors.newFixedThreadPool(4);
		List<String> paths = List.of("/api/workflows", "/api/runs", "/api/metrics/overview",
				"/api/alert-events?limit=5");
		for (String path : paths) {
			clients.submit(() -> {
				while (running.get()) {
					long started = System.nanoTime();
					HttpResponse<String> response = api.getAtOnce(path, "Bearer " + caller.token());
					answers.add(new Answer(response.statusCode(),
							JSON.readTree(response.body()).path("code").asString(null),
							Duration.ofNanos(System.nanoTime() - started)));
					Thread.sleep(5);
				}
				return null;
			});
		}
		Thread.sleep(300);
		stack.pausePostgres();
		try {
			Thread.sleep(12_000);
		}
		finally {
			stack.resumePostgres();
		}
		running.set(false);
		clients.shutdown();
		assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

		assertThat(answers).allSatisfy((answer) -> {
			assertThat(answer.took()).isLessThan(LONGEST);
			assertThat(answer.status()).isIn(200, 503);
			if (answer.status() == 503) {
				assertThat(answer.code()).isEqualTo("service_unavailable");
			}
		});
		assertThat(answers).filteredOn((answer) -> answer.status() == 503).hasSizeGreaterThanOrEqualTo(4);
		assertThat(output.getAll()).contains("Database access failed: ")
			.doesNotContain("\tat org.postgresql")
			.doesNotContain("\tat com.zaxxer")
			.doesNotContain("Unexpected failure");
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(api.get("/api/workflows", "Bearer " + caller.token()).statusCode())
				.isEqualTo(200));
	}

}
