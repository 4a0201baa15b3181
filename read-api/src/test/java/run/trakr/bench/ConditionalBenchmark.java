package run.trakr.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The cost of a 304 beside the 200 of the same request (issue 15): loads
 * {@link BenchDataset} (10 M runs by default), then per route alternates fixed-rate runs
 * of the plain request (a 200, its aggregates mostly from the rollup caches) and of the
 * same request with the ETag of its answer in {@code If-None-Match} (a 304 decided from
 * the data's version), and prints each round's p50/p99 and the medians' ratio.
 *
 * <p>
 * Options: {@code --runs N} (10000000), {@code --rate R} (req/s, 200),
 * {@code --seconds S} (measured per round, 20), {@code --warmup S} (5),
 * {@code --rounds N} (3), {@code --connections C} (16), {@code --env-file PATH} (a
 * running local stack, as {@code bench/read-routes.sh}: loads once, then compares commits
 * on one data set), {@code --only REGEX} (just the routes whose name it finds).
 */
public final class ConditionalBenchmark {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private ConditionalBenchmark() {
	}

	public static void main(String[] args) {
		RouteBenchmark.run(args, ConditionalBenchmark::benchmark);
	}

	private static void benchmark(Map<String, String> options) throws Exception {
		long runs = Long.parseLong(options.getOrDefault("runs", "10000000"));
		int rate = Integer.parseInt(options.getOrDefault("rate", "200"));
		int seconds = Integer.parseInt(options.getOrDefault("seconds", "20"));
		int warmUp = Integer.parseInt(options.getOrDefault("warmup", "5"));
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
		int connections = Integer.parseInt(options.getOrDefault("connections", "16"));
		try (RouteBenchmark.Stack stack = RouteBenchmark.Stack.of(options)) {
			ConfigurableApplicationContext api = RouteBenchmark.startApi(stack.spring());
			int port = ((WebServerApplicationContext) api).getWebServer().getPort();
			BenchDataset dataset = stack.loaded(runs);
			String token = RouteBenchmark.createToken(dataset);
			Instant end = RouteBenchmark.dataEnd(dataset);
			String window = "from=" + end.minus(Duration.ofDays(30)).plusSeconds(137).toEpochMilli() + "&to="
					+ end.minusSeconds(61).toEpochMilli();
			Map<String, String> routes = new LinkedHashMap<>();
			routes.put("/api/workflows (30 days, fixed unaligned from/to)", "/api/workflows?" + window);
			routes.put("/api/workflows/workflow-05/stats?interval=hour (30 days, fixed)",
					"/api/workflows/workflow-05/stats?interval=hour&" + window);
			routes.put("/api/runs/[runId] (a run with calls and tools)", "/api/runs/" + BenchDataset.runId(
					RouteBenchmark.LARGE_ORG,
					BenchDataset.DETAIL_EVERY * Math.max(1, Math.min(4321, runs / BenchDataset.DETAIL_EVERY / 2))));
			System.out.printf("%n%d req/s, %d s warm-up, %d s measured per round, %d connections%n", rate, warmUp,
					seconds, connections);
			System.out.printf("%-66s %-6s %5s %9s %9s%n", "route", "answer", "round", "p50 ms", "p99 ms");
			routes.keySet().removeIf((name) -> !Pattern.compile(options.getOrDefault("only", "")).matcher(name).find());
			for (Map.Entry<String, String> route : routes.entrySet()) {
				String etag = etag(port, token, route.getValue());
				List<long[]> ok = new ArrayList<>();
				List<long[]> notModified = new ArrayList<>();
				for (int round = 1; round <= rounds; round++) {
					ok.add(measure(new FixedRateLoad(port, route.getValue(), List.of(token), connections), rate, warmUp,
							seconds, route.getKey(), "200", round));
					notModified
						.add(measure(
								new FixedRateLoad(port, route.getValue(), List.of(token), connections).expecting(304)
									.header("If-None-Match", etag),
								rate, warmUp, seconds, route.getKey(), "304", round));
				}
				double okP50 = median(ok, 0.5);
				double okP99 = median(ok, 0.99);
				double nmP50 = median(notModified, 0.5);
				double nmP99 = median(notModified, 0.99);
				System.out.printf(
						"%-66s medians: 200 p50 %.2f p99 %.2f ms; 304 p50 %.2f p99 %.2f ms;"
								+ " 304/200: p50 %.2f, p99 %.2f%n",
						route.getKey(), okP50, okP99, nmP50, nmP99, nmP50 / okP50, nmP99 / okP99);
			}
			api.close();
		}
	}

	private static long[] measure(FixedRateLoad load, int rate, int warmUp, int seconds, String route, String answer,
			int round) throws InterruptedException {
		load.run(rate, warmUp);
		long[] latencies = load.run(rate, seconds);
		System.out.printf("%-66s %-6s %5d %9.2f %9.2f%n", route, answer, round,
				RouteBenchmark.percentile(latencies, 0.5) / 1e6, RouteBenchmark.percentile(latencies, 0.99) / 1e6);
		return latencies;
	}

	/** The median over rounds of one percentile, in ms. */
	private static double median(List<long[]> rounds, double q) {
		double[] values = rounds.stream()
			.mapToDouble((latencies) -> RouteBenchmark.percentile(latencies, q) / 1e6)
			.sorted()
			.toArray();
		return values[values.length / 2];
	}

	private static String etag(int port, String token, String path) throws Exception {
		HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.build(), HttpResponse.BodyHandlers.discarding());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(path + " -> " + response.statusCode());
		}
		return response.headers().firstValue("ETag").orElseThrow();
	}

}
