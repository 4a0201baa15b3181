package run.trakr.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import run.trakr.localstack.LocalStack;
import run.trakr.localstack.PostgresStandby;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import run.trakr.readapi.ReadApiApplication;
import run.trakr.readapi.auth.ReadToken;

/**
 * The eight routes at scale (issue 5): loads {@link BenchDataset} (10 M runs in one org
 * by default), starts the read API in this JVM with the real gate (token cache, Redis
 * rate-limit script; the quota raised so that the load is never refused), then per route
 * a fixed-rate run for p50/p99 ({@link FixedRateLoad}), closed-loop throughput for
 * {@code /api/workflows}, and the same 30-day workflow aggregates computed over the runs
 * table as the baseline.
 *
 * <p>
 * Options: {@code --runs N} (10000000), {@code --rate R} (req/s per route, 100),
 * {@code --seconds S} (measured, 20), {@code --warmup S} (10), {@code --connections C}
 * (16), {@code --env-file PATH} (use a running local stack's PostgreSQL and Redis,
 * loading only if the data set is not there yet, instead of starting a fresh stack).
 * {@code --seconds 0} skips the fixed-rate runs (throughput and baseline only);
 * {@code --only REGEX} runs just the routes whose name it finds (no throughput or
 * baseline).
 */
public final class RouteBenchmark {

	static final UUID LARGE_ORG = UUID.fromString("00000000-0000-4000-8000-00000000b001");

	private static final ObjectMapper JSON = JsonMapper.builder().build();

	/**
	 * The same-run reference: authenticated and rate-limited like every route, then
	 * refused by parameter validation before any query.
	 */
	static final String REFERENCE = "/api/workflows?sort=reference";

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private RouteBenchmark() {
	}

	public static void main(String[] args) {
		run(args, RouteBenchmark::benchmark);
	}

	/** A benchmark's body, given its {@code --name value} options. */
	@FunctionalInterface
	interface Body {

		void run(Map<String, String> options) throws Exception;

	}

	/**
	 * Runs a benchmark and ends the JVM with its outcome: Spring's and Lettuce's threads
	 * would keep a failed run's JVM alive, whatever failed (an Error too).
	 */
	static void run(String[] args, Body body) {
		try {
			body.run(options(args));
		}
		catch (Exception | Error ex) {
			ex.printStackTrace();
			System.exit(1);
		}
		System.exit(0);
	}

	private static void benchmark(Map<String, String> options) throws Exception {
		long runs = Long.parseLong(options.getOrDefault("runs", "10000000"));
		int rate = Integer.parseInt(options.getOrDefault("rate", "100"));
		int seconds = Integer.parseInt(options.getOrDefault("seconds", "20"));
		int warmUp = Integer.parseInt(options.getOrDefault("warmup", "10"));
		int connections = Integer.parseInt(options.getOrDefault("connections", "16"));
		Stack stack = Stack.of(options);
		Map<String, String> spring = stack.spring();
		MovableClock clock = new MovableClock();
		try {
			ConfigurableApplicationContext api = startApi(spring, clock);
			int port = ((WebServerApplicationContext) api).getWebServer().getPort();
			BenchDataset dataset = stack.loaded(runs);
			String token = createToken(dataset);
			Instant end = dataEnd(dataset);
			Map<String, Integer> ports = new LinkedHashMap<>(Map.of("primary", port));
			ConfigurableApplicationContext onStandby = null;
			if (Boolean.parseBoolean(options.getOrDefault("standby", "false"))) {
				if (stack.own() == null) {
					throw new IllegalArgumentException("--standby needs the benchmark's own stack, not --env-file");
				}
				// Starting it restarts the primary (its data directory is copied).
				long started = System.nanoTime();
				PostgresStandby standby = stack.own().startPostgresStandby();
				standby.awaitCaughtUp(Duration.ofMinutes(5));
				System.out.printf("standby of the data set started in %.1f s%n", (System.nanoTime() - started) / 1e9);
				Map<String, String> replica = new LinkedHashMap<>(spring);
				replica.put("trakr.read-replica.url", standby.jdbcUrl());
				onStandby = startApi(replica, clock);
				ports.put("standby", ((WebServerApplicationContext) onStandby).getWebServer().getPort());
			}
			run(ports, clock, token, dataset, end, runs, rate, seconds, warmUp, connections,
					options.getOrDefault("only", ""));
			if (onStandby != null) {
				onStandby.close();
			}
			api.close();
		}
		finally {
			stack.close();
		}
	}

	/**
	 * Where a benchmark's data lives: with {@code --env-file PATH}, a running local
	 * stack's PostgreSQL and Redis (the data set loaded once, kept for the next run or
	 * commit); else a fresh stack of its own, closed at the end.
	 */
	record Stack(LocalStack own, Map<String, String> spring) implements AutoCloseable {

		static Stack of(Map<String, String> options) throws IOException {
			if (!options.containsKey("env-file")) {
				LocalStack stack = LocalStack.start(LocalStack.Settings.forTests());
				return new Stack(stack, new LinkedHashMap<>(stack.springProperties()));
			}
			Map<String, String> spring = new LinkedHashMap<>();
			for (String line : Files.readAllLines(Path.of(options.get("env-file")))) {
				String[] pair = line.split("=", 2);
				spring.put(pair[0].toLowerCase().replace('_', '.').replace("bootstrapservers", "bootstrap-servers"),
						pair[1]);
			}
			return new Stack(null, spring);
		}

		/**
		 * The data set of {@code runs} runs in the large org, loaded unless it is there.
		 */
		BenchDataset loaded(long runs) throws Exception {
			BenchDataset dataset = new BenchDataset(this.spring.get("spring.datasource.url"),
					this.spring.get("spring.datasource.username"),
					this.spring.getOrDefault("spring.datasource.password", ""));
			if (!dataset.isLoaded(LARGE_ORG)) {
				long started = System.nanoTime();
				dataset.load(orgs(runs), Instant.now().truncatedTo(ChronoUnit.SECONDS));
				System.out.printf("load: total %.1f s%n", (System.nanoTime() - started) / 1e9);
			}
			return dataset;
		}

		@Override
		public void close() {
			if (this.own != null) {
				this.own.close();
			}
		}

	}

	static List<BenchDataset.Org> orgs(long runs) {
		List<BenchDataset.Org> orgs = new ArrayList<>();
		orgs.add(new BenchDataset.Org(LARGE_ORG, "large", "scale", runs, 50));
		for (int i = 1; i <= 3; i++) {
			orgs.add(new BenchDataset.Org(UUID.fromString("00000000-0000-4000-8000-00000000a00" + i), "small-" + i,
					"pro", Math.max(1000, runs / 100), 10));
		}
		return orgs;
	}

	/**
	 * Each route at the fixed rate through each API of {@code ports} in turn (the
	 * primary's, and with {@code --standby} one whose routes read the standby), each
	 * measurement crossing a UTC midnight in its middle and beside a trivial
	 * authenticated request measured just before (a 400 after the gate: token, Redis,
	 * error body); then throughput and the baseline through the first.
	 */
	private static void run(Map<String, Integer> ports, MovableClock clock, String token, BenchDataset dataset,
			Instant end, long runs, int rate, int seconds, int warmUp, int connections, String only) throws Exception {
		int port = ports.values().iterator().next();
		Instant from = end.minus(Duration.ofDays(30)).plusSeconds(137);
		Instant to = end.minusSeconds(61);
		String window = "from=" + encode(from.toString()) + "&to=" + encode(to.toString());
		List<String> someWorkflows = new ArrayList<>();
		for (int w = 0; w < 50; w += 5) {
			someWorkflows.add(String.format("workflow-%02d", w));
		}
		Map<String, List<String>> routes = new LinkedHashMap<>();
		routes.put("/api/workflows (default window: last 30 days)", List.of("/api/workflows"));
		routes.put("/api/workflows (30 days, fixed unaligned from/to)", List.of("/api/workflows?" + window));
		routes.put("/api/metrics/overview (default window)", List.of("/api/metrics/overview"));
		routes.put("/api/workflows/[name]/tools (default window, 10 workflows)",
				someWorkflows.stream().map(w -> "/api/workflows/" + w + "/tools").toList());
		routes.put("/api/workflows/[name]/stats?interval=hour (30 days, 10 workflows)",
				someWorkflows.stream().map(w -> "/api/workflows/" + w + "/stats?interval=hour").toList());
		routes.put("/api/runs (first page, default)", List.of("/api/runs"));
		routes.put("/api/runs?workflow&status (first page, 10 workflows, status=error)",
				someWorkflows.stream().map(w -> "/api/runs?workflow=" + w + "&status=error").toList());
		routes.put("/api/runs?cursor (later pages 2..101)", laterPages(port, token));
		routes.put("/api/runs/[runId] (1,000 runs, half with calls and tools)", runDetails(runs));
		System.out.printf("%nfixed window: %s .. %s; data ends %s; %d req/s per route, %d s warm-up, %d s measured%n",
				from, to, end, rate, warmUp, seconds);
		System.out.printf("%-72s %-8s %9s %9s %9s %9s %9s %9s %9s%n", "route", "reads", "p50 ms", "p99 ms", "max ms",
				"ref p50", "ref p99", "p50/ref", "p99/ref");
		for (Map.Entry<String, List<String>> route : routes.entrySet()) {
			if (seconds == 0) {
				break;
			}
			if (!java.util.regex.Pattern.compile(only).matcher(route.getKey()).find()) {
				continue;
			}
			for (Map.Entry<String, Integer> api : ports.entrySet()) {
				FixedRateLoad reference = new FixedRateLoad(api.getValue(), REFERENCE, List.of(token), connections)
					.expecting(400);
				reference.run(rate, Math.min(warmUp, 2));
				long[] trivial = reference.run(rate, seconds);
				FixedRateLoad load = new FixedRateLoad(api.getValue(), route.getValue(), List.of(token), connections);
				// Moved before the warm-up, which then runs at the new time: what is
				// measured is the midnight, not the jump (which no real clock makes).
				clock.crossMidnightIn(Duration.ofSeconds(warmUp).plus(Duration.ofSeconds(seconds).dividedBy(2)));
				load.run(rate, warmUp);
				long[] latencies = load.run(rate, seconds);
				System.out.printf("%-72s %-8s %9.2f %9.2f %9.2f %9.2f %9.2f %9.1f %9.1f%n", route.getKey(),
						api.getKey(), percentile(latencies, 0.5) / 1e6, percentile(latencies, 0.99) / 1e6,
						latencies[latencies.length - 1] / 1e6, percentile(trivial, 0.5) / 1e6,
						percentile(trivial, 0.99) / 1e6, percentile(latencies, 0.5) / (double) percentile(trivial, 0.5),
						percentile(latencies, 0.99) / (double) percentile(trivial, 0.99));
			}
		}
		if (only.isEmpty()) {
			throughput(port, token, routes, warmUp, Math.max(seconds, 20), connections);
			baseline(port, token, dataset, from, to, window);
		}
	}

	private static void throughput(int port, String token, Map<String, List<String>> routes, int warmUp, int seconds,
			int connections) throws InterruptedException {
		System.out.printf("%nthroughput, closed loop, %d connections, %d s:%n", connections, seconds);
		for (String name : List.of("/api/workflows (default window: last 30 days)",
				"/api/workflows (30 days, fixed unaligned from/to)")) {
			FixedRateLoad load = new FixedRateLoad(port, routes.get(name), List.of(token), connections);
			load.saturate(warmUp);
			long done = load.saturate(seconds);
			System.out.printf("%-72s %9.0f req/s%n", name, done / (double) seconds);
		}
		wrk(port, token, routes.get("/api/workflows (default window: last 30 days)").get(0), seconds, connections);
	}

	/**
	 * The same closed loop from wrk, when installed (Debian package {@code wrk}): a C
	 * load generator in its own process takes less of the two cores than the in-JVM one.
	 */
	private static void wrk(int port, String token, String path, int seconds, int connections) {
		List<String> command = List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", "-H",
				"Authorization: Bearer " + token, "http://127.0.0.1:" + port + path);
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.waitFor() != 0 || !output.contains("Requests/sec")) {
				System.out.println("wrk failed: " + output.replace(token, "<token>"));
				return;
			}
			for (String line : output.split("\n")) {
				String trimmed = line.strip();
				if (trimmed.startsWith("Requests/sec") || trimmed.startsWith("50%") || trimmed.startsWith("99%")
						|| trimmed.startsWith("Non-2xx")) {
					System.out.printf("  wrk %s, %d connections, %d s: %s%n", path, connections, seconds, trimmed);
				}
			}
		}
		catch (IOException ex) {
			System.out.println("wrk not run (" + ex.getMessage() + "); `apt-get install wrk` adds it");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The fixed-window workflow aggregates straight from the runs table, timed, and
	 * checked against the API's answer: counts and totals equal, p95s within 1% of the
	 * nearest-rank value.
	 */
	private static void baseline(int port, String token, BenchDataset dataset, Instant from, Instant to, String window)
			throws Exception {
		String sql = "SELECT workflow_name, count(*), sum(cost_usd),"
				+ " percentile_disc(0.95) WITHIN GROUP (ORDER BY cost_usd),"
				+ " percentile_cont(0.95) WITHIN GROUP (ORDER BY cost_usd),"
				+ " count(*) FILTER (WHERE status IN ('error', 'loop_detected', 'timeout')),"
				+ " avg(duration_ms) FILTER (WHERE status <> 'running'), max(started_at)"
				+ " FROM runs WHERE org_id = '" + LARGE_ORG + "' AND started_at >= '" + from + "' AND started_at <= '"
				+ to + "' GROUP BY workflow_name";
		Map<String, Object[]> expected = new HashMap<>();
		long[] times = new long[5];
		try (Connection connection = dataset.connect(); Statement statement = connection.createStatement()) {
			for (int i = 0; i < times.length; i++) {
				long started = System.nanoTime();
				try (ResultSet rows = statement.executeQuery(sql)) {
					while (rows.next()) {
						expected.put(rows.getString(1), new Object[] { rows.getLong(2), rows.getBigDecimal(3),
								rows.getBigDecimal(4), rows.getDouble(5), rows.getLong(6) });
					}
				}
				times[i] = System.nanoTime() - started;
			}
		}
		long[] api = new long[5];
		JsonNode body = null;
		for (int i = 0; i < api.length; i++) {
			long started = System.nanoTime();
			body = JSON.readTree(get(port, token, "/api/workflows?" + window));
			api[i] = System.nanoTime() - started;
		}
		Arrays.sort(times);
		Arrays.sort(api);
		double maxP95Error = 0;
		int mismatches = 0;
		for (JsonNode workflow : body.get("workflows")) {
			Object[] want = expected.get(workflow.get("workflow_name").asString());
			if (want == null || (long) want[0] != workflow.get("run_count").asLong() || ((java.math.BigDecimal) want[1])
				.compareTo(new java.math.BigDecimal(workflow.get("total_cost_usd").asString())) != 0) {
				mismatches++;
				continue;
			}
			double p95 = Double.parseDouble(workflow.get("p95_cost_usd").asString());
			maxP95Error = Math.max(maxP95Error, Math.abs(p95 / ((java.math.BigDecimal) want[2]).doubleValue() - 1));
		}
		System.out.printf("%nbaseline: the fixed-window /api/workflows aggregates over the runs table"
				+ " (count, sum, percentile_disc and percentile_cont of cost, error count, avg duration per workflow):%n");
		System.out.printf("  SQL over runs: median %.1f ms (of 5: %s)%n", times[2] / 1e6,
				Arrays.stream(times).mapToObj(t -> String.format("%.0f", t / 1e6)).toList());
		System.out.printf("  /api/workflows, same window, one client: median %.2f ms -> ratio %.0fx%n", api[2] / 1e6,
				times[2] / (double) api[2]);
		System.out.printf(
				"  %d workflows; %d with a different count or total; largest p95 cost error vs percentile_disc %.3f%%%n",
				body.get("workflows").size(), mismatches, maxP95Error * 100);
	}

	private static List<String> laterPages(int port, String token) throws Exception {
		List<String> pages = new ArrayList<>();
		String cursor = JSON.readTree(get(port, token, "/api/runs")).get("next_cursor").asString();
		for (int page = 2; page <= 101; page++) {
			String path = "/api/runs?cursor=" + encode(cursor);
			pages.add(path);
			cursor = JSON.readTree(get(port, token, path)).get("next_cursor").asString();
		}
		return pages;
	}

	/** Runs among the first 90% of the large org's (at 10 M runs, the same as ever). */
	private static List<String> runDetails(long runs) {
		List<String> paths = new ArrayList<>();
		java.util.Random random = new java.util.Random(5);
		int among = (int) Math.max(BenchDataset.DETAIL_EVERY, runs * 9 / 10);
		for (int i = 0; i < 1000; i++) {
			long n = (i % 2 == 0) ? BenchDataset.DETAIL_EVERY * (1 + random.nextInt(among / BenchDataset.DETAIL_EVERY))
					: 1 + random.nextInt(among);
			paths.add("/api/runs/" + BenchDataset.runId(LARGE_ORG, n));
		}
		return paths;
	}

	private static String get(int port, String token, String path) throws Exception {
		HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.header("Authorization", "Bearer " + token)
			.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(path + " -> " + response.statusCode() + " " + response.body());
		}
		return response.body();
	}

	static Instant dataEnd(BenchDataset dataset) throws Exception {
		try (Connection connection = dataset.connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT max(started_at) FROM runs WHERE org_id = '" + LARGE_ORG
						+ "' AND started_at IS NOT NULL")) {
			rows.next();
			return rows.getTimestamp(1).toInstant();
		}
	}

	static String createToken(BenchDataset dataset) throws Exception {
		return createToken(dataset, LARGE_ORG);
	}

	static String createToken(BenchDataset dataset, UUID org) throws Exception {
		String token = ReadToken.generate();
		try (Connection connection = dataset.connect(); Statement statement = connection.createStatement()) {
			statement
				.execute("INSERT INTO api_tokens (org_id, token_id, token_hash, prefix, name, created_by) VALUES ('"
						+ org + "', '" + UUID.randomUUID() + "', '" + ReadToken.hash(token) + "', '"
						+ ReadToken.displayPrefix(token) + "', 'route benchmark', 'bench')");
		}
		return token;
	}

	static ConfigurableApplicationContext startApi(Map<String, String> spring) {
		return startApi(spring, 100_000);
	}

	/** The API as {@link #startApi(Map)}, its clock {@code clock}. */
	static ConfigurableApplicationContext startApi(Map<String, String> spring, Clock clock) {
		return startApi(spring, 100_000, clock);
	}

	static ConfigurableApplicationContext startApi(Map<String, String> spring, int concurrentRequestsPerOrg) {
		return startApi(spring, concurrentRequestsPerOrg, null);
	}

	/**
	 * The API with no rate limit, and at most so many requests of one org at once (of
	 * them one expensive, unless 100,000: no bound).
	 */
	static ConfigurableApplicationContext startApi(Map<String, String> spring, int concurrentRequestsPerOrg,
			Clock clock) {
		List<String> arguments = new ArrayList<>();
		spring.forEach((key, value) -> arguments.add("--" + key + "=" + value));
		arguments.addAll(List.of("--server.port=0", "--management.server.port=0", "--logging.level.root=WARN",
				"--trakr.rate-limit.limit=1000000000",
				"--trakr.rate-limit.concurrent-requests-per-org=" + concurrentRequestsPerOrg,
				// Unbounded means unbounded: expensive requests too; else as shipped.
				"--trakr.rate-limit.concurrent-expensive-requests-per-org="
						+ ((concurrentRequestsPerOrg >= 100_000) ? concurrentRequestsPerOrg : 1),
				"--spring.profiles.active=local"));
		SpringApplicationBuilder builder = new SpringApplicationBuilder(ReadApiApplication.class);
		if (clock != null) {
			builder.initializers((ApplicationContextInitializer<GenericApplicationContext>) context -> context
				.registerBean("benchmarkClock", Clock.class, () -> clock, definition -> definition.setPrimary(true)));
		}
		return builder.run(arguments.toArray(String[]::new));
	}

	static long percentile(long[] sorted, double q) {
		return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
	}

	static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	static Map<String, String> options(String[] args) {
		Map<String, String> options = new HashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
		}
		return options;
	}

}
