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
import java.util.concurrent.CompletableFuture;

import run.trakr.localstack.LocalStack;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import run.trakr.readapi.auth.ReadToken;

/**
 * What hostile but valid traffic costs (issue 13), each figure beside the idle p99 of
 * {@code /api/workflows} measured in the same run: the heaviest valid requests (windows
 * spanning the calendar, 2,000-bucket series, filters the rollups do not keep), and
 * {@code /api/workflows} while a flood of unknown tokens arrives from one address.
 * <p>
 * Usage: {@code bench/hostile-input.sh [--runs 1000000] [--rate 100] [--seconds 20]
 * [--warmup 5] [--flood 1000] [--repeats 20] [--per-org 6]}
 */
public final class HostileInputBenchmark {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private HostileInputBenchmark() {
	}

	public static void main(String[] args) {
		RouteBenchmark.run(args, HostileInputBenchmark::benchmark);
	}

	private static void benchmark(Map<String, String> options) throws Exception {
		long runs = Long.parseLong(options.getOrDefault("runs", "1000000"));
		int rate = Integer.parseInt(options.getOrDefault("rate", "100"));
		int seconds = Integer.parseInt(options.getOrDefault("seconds", "20"));
		int warmUp = Integer.parseInt(options.getOrDefault("warmup", "5"));
		int flood = Integer.parseInt(options.getOrDefault("flood", "1000"));
		int repeats = Integer.parseInt(options.getOrDefault("repeats", "20"));
		try (LocalStack stack = LocalStack.start(LocalStack.Settings.forTests())) {
			// The per-org bound as shipped (6 at once, 1 expensive), or none (--per-org
			// 0).
			int perOrg = Integer.parseInt(options.getOrDefault("per-org", "6"));
			ConfigurableApplicationContext api = RouteBenchmark.startApi(stack.springProperties(),
					(perOrg > 0) ? perOrg : 100_000);
			int port = ((WebServerApplicationContext) api).getWebServer().getPort();
			BenchDataset dataset = new BenchDataset(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
			long started = System.nanoTime();
			dataset.load(RouteBenchmark.orgs(runs), Instant.now().truncatedTo(ChronoUnit.SECONDS));
			System.out.printf("load of %,d runs: %.1f s%n", runs, (System.nanoTime() - started) / 1e9);
			String token = RouteBenchmark.createToken(dataset);
			Instant end = RouteBenchmark.dataEnd(dataset);

			FixedRateLoad workflows = new FixedRateLoad(port, "/api/workflows", List.of(token), 8);
			workflows.run(rate, warmUp);
			long[] idle = workflows.run(rate, seconds);
			System.out.printf("%n/api/workflows idle, %d req/s: p50 %.2f ms, p99 %.2f ms%n", rate,
					RouteBenchmark.percentile(idle, 0.5) / 1e6, RouteBenchmark.percentile(idle, 0.99) / 1e6);

			List<String> unknown = new ArrayList<>();
			for (int i = 0; i < flood; i++) {
				unknown.add(ReadToken.generate());
			}
			FixedRateLoad guesses = new FixedRateLoad(port, "/api/workflows", unknown, 32).anyStatus();
			CompletableFuture<long[]> flooding = CompletableFuture.supplyAsync(() -> {
				try {
					return guesses.run(flood, warmUp + seconds + 2);
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			});
			Thread.sleep(Duration.ofSeconds(warmUp).toMillis());
			long[] flooded = workflows.run(rate, seconds);
			long[] floodLatencies = flooding.join();
			System.out.printf(
					"/api/workflows during %,d unknown tokens/s from one address: p50 %.2f ms, p99 %.2f ms"
							+ " (%.2f x idle p99); the flood's own p99 %.2f ms, answers %s%n",
					flood, RouteBenchmark.percentile(flooded, 0.5) / 1e6,
					RouteBenchmark.percentile(flooded, 0.99) / 1e6,
					(double) RouteBenchmark.percentile(flooded, 0.99) / RouteBenchmark.percentile(idle, 0.99),
					RouteBenchmark.percentile(floodLatencies, 0.99) / 1e6, guesses.statuses);

			System.out.printf("%nheaviest valid requests, %d each after 3 warm-ups (sequential):%n", repeats);
			System.out.printf("%-100s %9s %9s %8s%n", "request", "p50 ms", "max ms", "max/idle");
			long worst = 0;
			String worstRequest = null;
			for (Map.Entry<String, String> heavy : heavyRequests(end).entrySet()) {
				long[] latencies = new long[repeats];
				for (int i = -3; i < repeats; i++) {
					long began = System.nanoTime();
					get(port, token, heavy.getValue());
					if (i >= 0) {
						latencies[i] = System.nanoTime() - began;
					}
				}
				Arrays.sort(latencies);
				long max = latencies[latencies.length - 1];
				System.out.printf("%-100s %9.2f %9.2f %8.2f%n", heavy.getKey(),
						RouteBenchmark.percentile(latencies, 0.5) / 1e6, max / 1e6,
						(double) max / RouteBenchmark.percentile(idle, 0.99));
				if (max > worst) {
					worst = max;
					worstRequest = heavy.getKey();
				}
			}
			System.out.printf("worst valid request: %.2f ms (%s), %.2f x the idle p99 of /api/workflows%n", worst / 1e6,
					worstRequest, (double) worst / RouteBenchmark.percentile(idle, 0.99));

			starvation(port, token, RouteBenchmark.createToken(dataset, RouteBenchmark.orgs(runs).get(1).orgId()), end,
					rate, seconds, warmUp, perOrg);
			api.close();
		}
	}

	/**
	 * Another org's cheap request while one org runs its heaviest valid requests from 16
	 * clients at once: its p99 idle and under that load.
	 */
	private static void starvation(int port, String heavyToken, String otherToken, Instant end, int rate, int seconds,
			int warmUp, int perOrg) throws Exception {
		String heavy = heavyRequests(end)
			.get("/api/runs, 50 workflows, status=error, cost_min=0.01 (count over run rows)");
		// Without a per-org bound the pool runs dry and the other org gets 503s: counted.
		FixedRateLoad other = new FixedRateLoad(port, "/api/workflows", List.of(otherToken), 8).anyStatus();
		other.run(rate, warmUp);
		long[] idle = other.run(rate, seconds);
		java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
		java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
		java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
		List<Thread> clients = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			Thread client = new Thread(() -> {
				while (running.get()) {
					try {
						HttpResponse<String> response = HTTP
							.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + heavy))
								.header("Authorization", "Bearer " + heavyToken)
								.build(), HttpResponse.BodyHandlers.ofString());
						(response.statusCode() == 200 ? served : refused).incrementAndGet();
					}
					catch (Exception ex) {
						refused.incrementAndGet();
					}
				}
			});
			client.start();
			clients.add(client);
		}
		Thread.sleep(Duration.ofSeconds(warmUp).toMillis());
		other.statuses.clear();
		long[] loaded = other.run(rate, seconds);
		running.set(false);
		for (Thread client : clients) {
			client.join();
		}
		System.out.printf(
				"%nanother org's /api/workflows at %d req/s, per-org bound %s: idle p99 %.2f ms; while one org runs"
						+ " 16 heavy requests at once: p50 %.2f ms, p99 %.2f ms (%.2f x idle p99);"
						+ " its answers %s; heavy requests served %d, refused %d%n",
				rate, (perOrg > 0) ? perOrg + " at once" : "off", RouteBenchmark.percentile(idle, 0.99) / 1e6,
				RouteBenchmark.percentile(loaded, 0.5) / 1e6, RouteBenchmark.percentile(loaded, 0.99) / 1e6,
				(double) RouteBenchmark.percentile(loaded, 0.99) / RouteBenchmark.percentile(idle, 0.99),
				other.statuses, served.get(), refused.get());
	}

	private static Map<String, String> heavyRequests(Instant end) {
		String calendar = "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.999999Z";
		String unaligned = "from=0001-01-01T00:00:00.5Z&to=9999-12-31T23:59:58.123456Z";
		Instant minutes = end.minus(Duration.ofMinutes(1999)).truncatedTo(ChronoUnit.MINUTES);
		Instant days = end.minus(Duration.ofDays(1999)).truncatedTo(ChronoUnit.DAYS);
		List<String> fifty = new ArrayList<>();
		for (int w = 0; w < 50; w++) {
			fifty.add("workflow=" + String.format("workflow-%02d", w));
		}
		Map<String, String> requests = new LinkedHashMap<>();
		requests.put("/api/workflows, year 1 to 9999", "/api/workflows?" + calendar);
		requests.put("/api/workflows, year 1 to 9999, unaligned", "/api/workflows?" + unaligned);
		requests.put("/api/metrics/overview, year 1 to 9999", "/api/metrics/overview?" + calendar);
		requests.put("/api/runs, year 1 to 9999 (total_count)", "/api/runs?" + calendar);
		requests.put("/api/runs, 50 workflows, status=error, cost_min=0.01 (count over run rows)",
				"/api/runs?" + String.join("&", fifty) + "&status=error&cost_min=0.01&" + calendar);
		requests.put("/api/runs, sort=cost_desc, year 1 to 9999", "/api/runs?sort=cost_desc&" + calendar);
		requests.put("/api/runs, sort=duration_asc, cost_max=0.001", "/api/runs?sort=duration_asc&cost_max=0.001");
		requests.put("/api/workflows/[name]/stats, 2,000 minutes (run rows)",
				"/api/workflows/workflow-00/stats?interval=minute&from=" + RouteBenchmark.encode(minutes.toString())
						+ "&to=" + RouteBenchmark.encode(end.toString()));
		requests.put("/api/workflows/[name]/stats, 2,000 days", "/api/workflows/workflow-00/stats?interval=day&from="
				+ RouteBenchmark.encode(days.toString()) + "&to=" + RouteBenchmark.encode(end.toString()));
		// Zoned series (issue 15): a zone's day is made of UTC hour rows, a :30/:45
		// zone's
		// hours of 5-minute rows.
		for (String zone : List.of("Europe/Berlin", "Asia/Kathmandu")) {
			requests.put("/api/workflows/[name]/stats, 2,000 days, tz=" + zone,
					"/api/workflows/workflow-00/stats?interval=day&tz=" + RouteBenchmark.encode(zone) + "&from="
							+ RouteBenchmark.encode(days.toString()) + "&to=" + RouteBenchmark.encode(end.toString()));
			requests.put("/api/workflows/[name]/stats, 2,000 hours, tz=" + zone,
					"/api/workflows/workflow-00/stats?interval=hour&tz=" + RouteBenchmark.encode(zone) + "&from="
							+ RouteBenchmark.encode(end.minus(Duration.ofHours(1999)).toString()) + "&to="
							+ RouteBenchmark.encode(end.toString()));
		}
		requests.put("/api/workflows/[name]/tools, year 1 to 9999", "/api/workflows/workflow-00/tools?" + calendar);
		requests.put("/api/alert-events, year 1 to 9999, limit=100", "/api/alert-events?limit=100&" + calendar);
		return requests;
	}

	private static void get(int port, String token, String path) throws Exception {
		HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(path + " -> " + response.statusCode() + " " + response.body());
		}
	}

}
