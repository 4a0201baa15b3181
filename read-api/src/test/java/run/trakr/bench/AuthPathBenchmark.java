package run.trakr.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.sync.RedisCommands;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import run.trakr.localstack.JavaProcess;
import run.trakr.localstack.LocalStack;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

import run.trakr.readapi.ReadApiApplication;
import run.trakr.readapi.auth.ReadToken;
import run.trakr.readapi.ratelimit.TokenRateLimiter;

import static run.trakr.schema.jooq.Tables.API_TOKENS;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;

/**
 * Added latency of the auth + rate-limit path: the same trivial handler behind the real
 * gate (token lookup in PostgreSQL, sliding window in Redis) and with the gate switched
 * off, driven open-loop at a fixed rate by {@link FixedRateLoad}, in alternating rounds.
 * Three more variants measure the floor under any gate that keeps the documented
 * semantics (a quota shared by every replica, a revocation seen by the next request): no
 * gate, but per request the gate's script through Lettuce alone, one Redis {@code PING}
 * through a Lettuce connection as the gate uses, or one over a blocking socket per
 * request thread (no event-loop hand-off at all). Each variant runs in a JVM of its own
 * ({@code BENCH_SERVER_JAVA_OPTS}, default {@code -Xmx512m} as in the demo); this JVM
 * holds the local stack and the load generator.
 *
 * <p>
 * Arguments: rate (req/s, default 2000), warm-up seconds (20; at most 5 after the first
 * round), measured seconds (30), rounds per variant (3), tokens (500, so that each stays
 * under its 300/min quota), client connections (32).
 */
public final class AuthPathBenchmark {

	private static final String SERVER = "--serve-gate";

	/** What stands between the connection and the handler: the configurations it adds. */
	enum Variant {

		OFF("gate off", GateOff.class), ON("gate on"),
		SCRIPT_LETTUCE("script only", GateOff.class, ScriptThroughLettuce.class),
		PING_LETTUCE("PING, Lettuce", GateOff.class, PingThroughLettuce.class),
		PING_SOCKET("PING, socket", GateOff.class, PingThroughSocket.class);

		final String label;

		final List<Class<?>> configurations;

		Variant(String label, Class<?>... configurations) {
			this.label = label;
			this.configurations = List.of(configurations);
		}

	}

	private static final Map<String, Double> PERCENTILES = Map.of("p50", 0.50, "p99", 0.99, "p99.9", 0.999);

	private AuthPathBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals(SERVER)) {
			serve(Variant.valueOf(args[1]), Arrays.copyOfRange(args, 2, args.length));
			return;
		}
		int rate = intArg(args, 0, 2000);
		int warmUp = intArg(args, 1, 20);
		int measured = intArg(args, 2, 30);
		int rounds = intArg(args, 3, 3);
		int tokenCount = intArg(args, 4, 500);
		int connections = intArg(args, 5, 32);
		try (LocalStack stack = LocalStack.start(LocalStack.Settings.forTests())) {
			Map<Variant, ServerProcess> variants = new EnumMap<>(Variant.class);
			Map<Variant, List<long[]>> results = new EnumMap<>(Variant.class);
			for (Variant variant : Variant.values()) {
				variants.put(variant, ServerProcess.start(stack, variant));
				results.put(variant, new ArrayList<>());
			}
			List<String> tokens = createTokens(stack, tokenCount);
			try {
				for (int round = 1; round <= rounds; round++) {
					for (Map.Entry<Variant, ServerProcess> variant : variants.entrySet()) {
						int port = variant.getValue().port();
						// JIT and caches warm in the first round; later ones only settle.
						drive(port, tokens, rate, (round == 1) ? warmUp : Math.min(warmUp, 5), connections);
						long[] latencies = drive(port, tokens, rate, measured, connections);
						results.get(variant.getKey()).add(latencies);
						System.out.printf("round %d %-14s %s%n", round, variant.getKey().label, summary(latencies));
					}
				}
			}
			finally {
				variants.values().forEach(ServerProcess::close);
			}
			System.out.printf(
					"%nrate %d req/s, %d s warm-up + %d s measured per round, %d rounds, %d tokens, %d connections%n",
					rate, warmUp, measured, rounds, tokenCount, connections);
			List<long[]> off = results.get(Variant.OFF);
			for (String name : List.of("p50", "p99", "p99.9")) {
				double q = PERCENTILES.get(name);
				System.out.printf("%n%-6s %-14s %s (median of rounds)%n", name, Variant.OFF.label,
						micros(medianOf(off, q)));
				for (Variant variant : Arrays.copyOfRange(Variant.values(), 1, Variant.values().length)) {
					List<long[]> perRound = results.get(variant);
					long[] added = new long[perRound.size()];
					double[] ratios = new double[perRound.size()];
					for (int i = 0; i < perRound.size(); i++) {
						long base = percentile(off.get(i), q);
						added[i] = percentile(perRound.get(i), q) - base;
						ratios[i] = (double) percentile(perRound.get(i), q) / base;
					}
					double[] sortedRatios = ratios.clone();
					Arrays.sort(sortedRatios);
					System.out.printf(
							"%-6s %-14s %s; added per round %s -> median %s; x %s per round %s -> median %.2f%n", name,
							variant.label, micros(medianOf(perRound, q)),
							Arrays.stream(added).mapToObj(AuthPathBenchmark::micros).toList(), micros(median(added)),
							Variant.OFF.label, Arrays.stream(ratios).mapToObj((r) -> String.format("%.2f", r)).toList(),
							sortedRatios[sortedRatios.length / 2]);
				}
			}
		}
	}

	private static long[] drive(int port, List<String> tokens, int rate, int seconds, int connections)
			throws InterruptedException {
		return new FixedRateLoad(port, "/api/metrics/overview", tokens, connections).run(rate, seconds);
	}

	/**
	 * A server process: the read-api with the bench handler and one {@link Variant}, in a
	 * JVM of its own as in production (not sharing a heap with the local stack's Kafka
	 * broker or the load generator). Prints its port on a line {@code PORT n}.
	 */
	private static void serve(Variant variant, String[] springArguments) {
		List<Class<?>> sources = new ArrayList<>(
				List.of(ReadApiApplication.class, BenchHandler.class, WithoutRealOverview.class));
		sources.addAll(variant.configurations);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class[]::new))
			.run(springArguments);
		System.out.println("PORT " + ((WebServerApplicationContext) context).getWebServer().getPort());
	}

	private static List<String> createTokens(LocalStack stack, int count) {
		DSLContext db = DSL.using(stack.jdbcUrl(), stack.postgresUser(), stack.postgresPassword());
		UUID org = UUID.randomUUID();
		db.insertInto(ORGANIZATIONS)
			.set(ORGANIZATIONS.ORG_ID, org)
			.set(ORGANIZATIONS.NAME, "bench")
			.set(ORGANIZATIONS.PLAN, "scale")
			.execute();
		List<String> tokens = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String token = ReadToken.generate();
			db.insertInto(API_TOKENS)
				.set(API_TOKENS.ORG_ID, org)
				.set(API_TOKENS.TOKEN_ID, UUID.randomUUID())
				.set(API_TOKENS.TOKEN_HASH, ReadToken.hash(token))
				.set(API_TOKENS.PREFIX, ReadToken.displayPrefix(token))
				.set(API_TOKENS.NAME, "bench " + i)
				.set(API_TOKENS.CREATED_BY, "bench")
				.execute();
			tokens.add(token);
		}
		return tokens;
	}

	private static String summary(long[] sorted) {
		return String.format("p50 %s  p99 %s  p99.9 %s  max %s  (%d requests)", micros(percentile(sorted, 0.5)),
				micros(percentile(sorted, 0.99)), micros(percentile(sorted, 0.999)), micros(sorted[sorted.length - 1]),
				sorted.length);
	}

	private static long medianOf(List<long[]> rounds, double q) {
		return median(rounds.stream().mapToLong(sorted -> percentile(sorted, q)).toArray());
	}

	private static long median(long[] values) {
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

	private static long percentile(long[] sorted, double q) {
		return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
	}

	private static String micros(long nanos) {
		return String.format("%.3f ms", nanos / 1e6);
	}

	private static int intArg(String[] args, int index, int otherwise) {
		return (args.length > index) ? Integer.parseInt(args[index]) : otherwise;
	}

	/** A {@link #serve server} in a child JVM with this JVM's classpath. */
	private record ServerProcess(Process process, int port) implements AutoCloseable {

		static ServerProcess start(LocalStack stack, Variant variant) throws IOException {
			String options = System.getenv().getOrDefault("BENCH_SERVER_JAVA_OPTS", "-Xmx512m");
			List<String> arguments = new ArrayList<>(List.of(SERVER, variant.name()));
			arguments.addAll(JavaProcess.springArguments(stack.springProperties()));
			arguments.addAll(List.of("--server.port=0", "--management.server.port=0", "--logging.level.root=WARN",
					"--trakr.rate-limit.concurrent-requests-per-org=100000",
					"--trakr.rate-limit.concurrent-expensive-requests-per-org=100000",
					"--spring.profiles.active=local"));
			List<String> command = JavaProcess.mainClass(AuthPathBenchmark.class)
				.command(Arrays.asList(options.trim().split("\\s+")), arguments);
			Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
			BufferedReader out = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			for (String line = out.readLine(); line != null; line = out.readLine()) {
				if (line.startsWith("PORT ")) {
					int port = Integer.parseInt(line.substring(5).trim());
					Thread drain = new Thread(() -> out.lines().forEach(rest -> {
					}), "drain-" + variant.name());
					drain.setDaemon(true);
					drain.start();
					return new ServerProcess(process, port);
				}
			}
			throw new IllegalStateException("The " + variant.label + " server exited before it listened");
		}

		@Override
		public void close() {
			JavaProcess.stop(this.process);
		}

	}

	/** The handler both variants serve: no I/O, a small JSON body. */
	@RestController
	static class BenchHandler {

		@GetMapping("/api/metrics/overview")
		Map<String, Object> overview() {
			return Map.of("run_count", 0, "error_rate", 0);
		}

	}

	/**
	 * Takes the real overview controller out, so the bench handler answers its route
	 * without touching the read models.
	 */
	@Configuration(proxyBeanMethods = false)
	static class WithoutRealOverview {

		@Bean
		static BeanDefinitionRegistryPostProcessor removeRealOverview() {
			return registry -> registry.removeBeanDefinition("overviewController");
		}

	}

	/**
	 * One Lettuce connection with the gate's timeout, shared by the request threads as
	 * the gate's is: a command travels request thread, event loop, Redis, event loop,
	 * request thread.
	 */
	@Configuration(proxyBeanMethods = false)
	static class LettuceConnection {

		@Bean(destroyMethod = "shutdown")
		RedisClient benchRedisClient() {
			RedisClient client = RedisClient.create();
			client.setOptions(
					ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(500))).build());
			return client;
		}

		@Bean
		RedisCommands<String, String> benchRedis(RedisClient client, @Value("${spring.data.redis.url}") String url) {
			return client.connect(RedisURI.create(url)).sync();
		}

	}

	/** One {@code PING} per request through the shared Lettuce connection. */
	@Configuration(proxyBeanMethods = false)
	@Import(LettuceConnection.class)
	static class PingThroughLettuce {

		@Bean
		FilterRegistrationBean<OncePerRequestFilter> pingFilter(RedisCommands<String, String> redis) {
			return roundTripFilter((request) -> redis.ping());
		}

	}

	/**
	 * The gate's sliding-window script per request through the shared Lettuce connection,
	 * keyed by the bearer token, with none of the gate's Java around it.
	 */
	@Configuration(proxyBeanMethods = false)
	@Import(LettuceConnection.class)
	static class ScriptThroughLettuce {

		@Bean
		FilterRegistrationBean<OncePerRequestFilter> scriptFilter(RedisCommands<String, String> redis)
				throws IOException {
			String script;
			try (InputStream in = TokenRateLimiter.class.getResourceAsStream("sliding-window.lua")) {
				script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			String sha = redis.scriptLoad(script);
			String[] limits = { "300", "60000000" };
			return roundTripFilter((request) -> {
				String token = request.getHeader("Authorization");
				String[] keys = { "bench:{" + token + "}:rl", "bench:{" + token + "}:revoked" };
				List<Long> reply = redis.evalsha(sha, ScriptOutputType.MULTI, keys, limits);
				return (reply.get(0) == 1) ? "PONG" : "refused";
			});
		}

	}

	/**
	 * One round trip to Redis per request over a blocking socket of the request thread's
	 * own: the cheapest round trip there is, with no thread hand-off.
	 */
	@Configuration(proxyBeanMethods = false)
	static class PingThroughSocket {

		@Bean
		FilterRegistrationBean<OncePerRequestFilter> pingFilter(@Value("${spring.data.redis.url}") String url) {
			URI redis = URI.create(url);
			ThreadLocal<Socket> sockets = ThreadLocal.withInitial(() -> {
				try {
					Socket socket = new Socket(redis.getHost(), redis.getPort());
					socket.setTcpNoDelay(true);
					return socket;
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
			byte[] ping = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
			return roundTripFilter((request) -> {
				try {
					Socket socket = sockets.get();
					socket.getOutputStream().write(ping);
					byte[] pong = new byte[7];
					int read = 0;
					while (read < pong.length) {
						int n = socket.getInputStream().read(pong, read, pong.length - read);
						if (n < 0) {
							throw new IOException("Redis closed the connection");
						}
						read += n;
					}
					return new String(pong, StandardCharsets.US_ASCII).trim();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}

	}

	/** Where the gate stands, a filter that makes the round trip and expects a PONG. */
	private static FilterRegistrationBean<OncePerRequestFilter> roundTripFilter(
			Function<HttpServletRequest, String> ping) {
		FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(
				new OncePerRequestFilter() {
					@Override
					protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
							FilterChain chain) throws ServletException, IOException {
						String pong = ping.apply(request);
						if (!"PONG".equals(pong) && !"+PONG".equals(pong)) {
							throw new IllegalStateException("Redis answered " + pong);
						}
						chain.doFilter(request, response);
					}
				});
		registration.addUrlPatterns("/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

	/** Switches the bearer-token gate off, for every variant but the gate's own. */
	@Configuration(proxyBeanMethods = false)
	static class GateOff {

		@Bean
		static BeanPostProcessor disableGate() {
			return new BeanPostProcessor() {
				@Override
				public Object postProcessAfterInitialization(Object bean, String name) {
					if (bean instanceof FilterRegistrationBean<?> registration && name.equals("bearerTokenGate")) {
						registration.setEnabled(false);
					}
					return bean;
				}
			};
		}

	}

}
