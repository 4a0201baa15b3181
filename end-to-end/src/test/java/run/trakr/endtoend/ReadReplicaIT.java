package run.trakr.endtoend;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.PostgresStandby;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import run.trakr.readapi.freshness.ProjectionFreshness;
import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;
import run.trakr.schematest.support.IngestPopulation;
import run.trakr.schematest.support.IngestPopulation.ExpectedRun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;

/**
 * A read API whose routes read from a streaming standby ({@code trakr.read-replica.url})
 * beside one that reads the primary, with the packaged projector writing to the primary.
 * Caught up, the two give the same bodies on all eight routes. With replay paused while
 * events flow, the standby's answers stay those of one moment (so they agree with each
 * other) and never fail, while its freshness headers report its own growing lag; resumed,
 * it catches up within seconds. A token created on the primary a moment ago works at once
 * through the replica-reading API (its lookup goes to the primary).
 */
@ExtendWith(LocalStackExtension.class)
class ReadReplicaIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String WINDOW = "from=2026-11-19T00:00:00Z&to=2026-11-28T00:00:00Z";

	@Test
	void routesReadTheStandbyAndStayConsistentWhileItLags(LocalStack stack) throws Exception {
		IngestPopulation population = IngestPopulation.generate(1607L, 400);
		List<IngestPopulation.Record> records = population.shuffled(3);
		int half = records.size() / 2;
		// First: starting the standby restarts the primary (its data directory is
		// copied).
		try (PostgresStandby standby = stack.startPostgresStandby()) {
			String topic = IngestPopulation.newTopic(stack, 3);
			Map<String, Object> settings = Map.of("trakr.freshness.topic", topic, "trakr.rate-limit.limit", "1000000");
			Map<String, Object> onStandby = new LinkedHashMap<>(settings);
			onStandby.put("trakr.read-replica.url", standby.jdbcUrl());
			try (ReadApiInstance primaryApi = ReadApiInstance.start(stack, settings);
					ReadApiInstance replicaApi = ReadApiInstance.start(stack, onStandby);
					ProjectorProcess projector = ProjectorProcess.start(stack, topic)) {
				DSLContext primary = primaryApi.context().getBean(DSLContext.class);
				UUID org = population.orgs().get(0);
				primary
					.insertInto(ORGANIZATIONS, ORGANIZATIONS.ORG_ID, ORGANIZATIONS.NAME, ORGANIZATIONS.PLAN,
							ORGANIZATIONS.RETENTION_DAYS)
					.values(org, "Replica org", "pro", IngestPopulation.RETENTION_DAYS)
					.execute();
				String token = new Admin(stack)
					.run("token", "create", "--org", org.toString(), "--name", "replica", "--quiet")
					.trim();
				List<String> routes = routes(population, org);

				Map<Integer, Long> ends = new java.util.HashMap<>(
						IngestPopulation.publish(stack, topic, records.subList(0, half)));
				projector.awaitProjected(primary, topic, total(ends));
				standby.awaitCaughtUp(Duration.ofSeconds(30));
				Map<String, String> caughtUp = answers(replicaApi, routes, token);
				assertThat(caughtUp).as("the standby, caught up, answers as the primary does")
					.isEqualTo(answers(primaryApi, routes, token));
				assertConsistent(caughtUp);

				standby.pauseReplay();
				ends.putAll(IngestPopulation.publish(stack, topic, records.subList(half, records.size())));
				projector.awaitProjected(primary, topic, total(ends));
				standby.awaitReceived(Duration.ofSeconds(30));
				Map<String, String> paused = answers(replicaApi, routes, token);
				assertThat(paused).as("paused: the standby's answers are still those of one moment")
					.isEqualTo(caughtUp);
				assertThat(answers(primaryApi, routes, token)).as("the primary has moved on").isNotEqualTo(paused);
				await().atMost(Duration.ofSeconds(20))
					.pollInterval(Duration.ofMillis(250))
					.untilAsserted(() -> assertThat(lag(replicaApi, token)).as("the standby reports its own lag")
						.isGreaterThan(BigDecimal.ONE));
				assertThat(lag(primaryApi, token)).isEqualByComparingTo("0");

				// Created on the primary while the standby cannot see it: authenticates
				// at once (an org the standby does not know yet has no runs).
				OrgToken fresh = new Admin(stack).createOrgWithToken("starter");
				HttpResponse<String> newcomer = replicaApi.get("/api/workflows", "Bearer " + fresh.token());
				assertThat(newcomer.statusCode()).as(newcomer.body()).isEqualTo(200);
				assertThat(JSON.readTree(newcomer.body()).path("workflows").size()).isZero();

				standby.resumeReplay();
				long resumed = System.nanoTime();
				await().atMost(Duration.ofSeconds(15))
					.pollInterval(Duration.ofMillis(200))
					.untilAsserted(() -> assertThat(answers(replicaApi, routes, token))
						.isEqualTo(answers(primaryApi, routes, token)));
				System.out.printf("standby caught up with the primary's answers %d ms after resuming%n",
						(System.nanoTime() - resumed) / 1_000_000);
				assertConsistent(answers(replicaApi, routes, token));
				await().atMost(Duration.ofSeconds(10))
					.pollInterval(Duration.ofMillis(250))
					.untilAsserted(() -> assertThat(lag(replicaApi, token)).isEqualByComparingTo("0"));
			}
		}
	}

	/**
	 * Every route, with explicit windows so that the bodies do not move with the clock.
	 */
	private static List<String> routes(IngestPopulation population, UUID org) {
		List<ExpectedRun> runs = population.expectedRuns()
			.values()
			.stream()
			.filter(run -> run.orgId().equals(org))
			.sorted(java.util.Comparator.comparing(ExpectedRun::startedAt))
			.toList();
		// Compared: the earliest and the latest run of one workflow.
		ExpectedRun first = runs.get(0);
		ExpectedRun last = runs.stream()
			.filter(run -> run.workflowName().equals(first.workflowName()))
			.reduce((earlier, later) -> later)
			.orElseThrow();
		List<String> routes = new ArrayList<>(List.of("/api/workflows?" + WINDOW, "/api/runs?limit=100&" + WINDOW,
				"/api/alert-events?limit=100&" + WINDOW, "/api/metrics/overview?" + WINDOW));
		for (String workflow : List.of("triage", "nightly-report")) {
			routes.add("/api/workflows/" + workflow + "/stats?interval=hour&" + WINDOW);
			routes.add("/api/workflows/" + workflow + "/tools?" + WINDOW);
		}
		for (ExpectedRun run : runs.subList(0, 20)) {
			routes.add("/api/runs/" + run.runId());
		}
		routes.add("/api/runs/compare?run_a=" + first.runId() + "&run_b=" + last.runId());
		return routes;
	}

	/**
	 * Each route's status and body; the overview's freshness fields left out (they move
	 * with the clock).
	 */
	private static Map<String, String> answers(ReadApiInstance api, List<String> routes, String token) {
		Map<String, String> answers = new LinkedHashMap<>();
		for (String route : routes) {
			HttpResponse<String> response = api.get(route, "Bearer " + token);
			assertThat(response.statusCode()).as(route + ": never fails; " + response.body()).isIn(200, 404);
			JsonNode body = JSON.readTree(response.body());
			if (body instanceof ObjectNode object) {
				object.remove(List.of("data_as_of", "projection_lag_seconds"));
			}
			answers.put(route, response.statusCode() + " " + body);
		}
		return answers;
	}

	/**
	 * What one route shows, another counts: the workflows' run counts add up to the run
	 * list's total for the same window.
	 */
	private static void assertConsistent(Map<String, String> answers) {
		long perWorkflow = 0;
		JsonNode workflows = body(answers, "/api/workflows?" + WINDOW);
		for (JsonNode workflow : workflows.path("workflows")) {
			perWorkflow += workflow.path("run_count").asLong();
		}
		assertThat(perWorkflow).isPositive()
			.isEqualTo(body(answers, "/api/runs?limit=100&" + WINDOW).path("total_count").asLong());
	}

	private static JsonNode body(Map<String, String> answers, String route) {
		String answer = answers.get(route);
		return JSON.readTree(answer.substring(answer.indexOf(' ') + 1));
	}

	/** Records published so far: the sum of the partitions' end offsets. */
	private static long total(Map<Integer, Long> ends) {
		return ends.values().stream().mapToLong(Long::longValue).sum();
	}

	private static BigDecimal lag(ReadApiInstance api, String token) {
		HttpResponse<String> response = api.get("/api/workflows", "Bearer " + token);
		assertThat(response.statusCode()).isEqualTo(200);
		return new BigDecimal(response.headers().firstValue(ProjectionFreshness.PROJECTION_LAG).orElseThrow());
	}

}
