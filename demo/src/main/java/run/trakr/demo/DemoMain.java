package run.trakr.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import run.trakr.demo.simulator.TrafficSimulator;

/**
 * {@code bin/trakr-demo}: starts the demo, prints how to use it, and runs until Ctrl-C.
 *
 * With {@code simulate} first it runs only the traffic simulator, against a Kafka and an
 * org of your choosing (docker-compose's {@code simulator} service).
 *
 * <pre>
 * java -jar demo/target/demo-*-exec.jar [--port 3000] [--backfill-runs 3000]
 *      [--backfill-days 30] [--live-runs-per-minute 20] [--seed N]
 * java -jar demo/target/demo-*-exec.jar simulate --bootstrap-servers HOST:PORT --org ORG_ID
 *      [--topic trakr.ingest.v1] [--backfill-runs 3000] [--backfill-days 30] [--live-runs-per-minute 20]
 * </pre>
 */
public final class DemoMain {

	private DemoMain() {
	}

	public static void main(String[] args) throws IOException, InterruptedException {
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "run/trakr/demo/demo-logback.xml");
		}
		boolean simulateOnly = args.length > 0 && args[0].equals("simulate");
		int port = 3000;
		int backfillRuns = 3000;
		int backfillDays = 30;
		double liveRunsPerMinute = 20;
		long seed = System.nanoTime();
		String bootstrapServers = null;
		String topic = Demo.TOPIC;
		UUID org = null;
		for (int i = simulateOnly ? 1 : 0; i < args.length; i++) {
			switch (args[i]) {
				case "--port" -> port = Integer.parseInt(args[++i]);
				case "--backfill-runs" -> backfillRuns = Integer.parseInt(args[++i]);
				case "--backfill-days" -> backfillDays = Integer.parseInt(args[++i]);
				case "--live-runs-per-minute" -> liveRunsPerMinute = Double.parseDouble(args[++i]);
				case "--seed" -> seed = Long.parseLong(args[++i]);
				case "--bootstrap-servers" -> bootstrapServers = args[++i];
				case "--topic" -> topic = args[++i];
				case "--org" -> org = UUID.fromString(args[++i]);
				default -> {
					System.err.println("Unknown option " + args[i] + "; see the README (Quick start)");
					System.exit(2);
				}
			}
		}
		if (simulateOnly) {
			if (bootstrapServers == null || org == null) {
				System.err.println("simulate needs --bootstrap-servers and --org");
				System.exit(2);
			}
			simulate(bootstrapServers, topic, org, backfillRuns, Duration.ofDays(backfillDays), liveRunsPerMinute,
					seed);
			return;
		}
		Instant begin = Instant.now();
		System.out.println("Starting Kafka, PostgreSQL, Redis, the projector and the read API...");
		Demo demo = new Demo(new Demo.Settings(port, serviceJar("ingest-projector"), serviceJar("read-api"),
				Path.of("demo", "target", "logs"), backfillRuns, Duration.ofDays(backfillDays), liveRunsPerMinute,
				seed));
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			System.out.println("\nStopping...");
			demo.close();
			stopped.countDown();
		}, "demo-shutdown"));
		try {
			demo.start();
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			System.err.println("The demo could not start: " + ex.getMessage());
			System.exit(1);
		}
		System.out.printf("""

				Trakr demo ready in %d s: %d runs back-filled over %d days, %s new runs a minute from now on.

				  API        %s
				  Read token %s   (org "Demo org" %s, Pro plan)

				Try it:
				  export TRAKR_APP_URL="%s"
				  export TRAKR_READ_TOKEN="%s"
				  curl -sS "$TRAKR_APP_URL/api/runs?limit=10&sort=started_at_desc" \\
				    -H "Accept: application/json" \\
				    -H "Authorization: Bearer $TRAKR_READ_TOKEN"

				Health and metrics: %s/actuator/health   Logs: demo/target/logs/
				Local stack (psql, Kafka tools):
				%s
				Ctrl-C stops everything.
				""", Duration.between(begin, Instant.now()).toSeconds(), backfillRuns, backfillDays,
				formatRate(liveRunsPerMinute), demo.url(), demo.token(), demo.org(), demo.url(), demo.token(),
				demo.readApiManagement(), environment(demo));
		stopped.await();
	}

	/** Back-fills, then publishes live traffic until the process is stopped. */
	private static void simulate(String bootstrapServers, String topic, UUID org, int backfillRuns,
			Duration backfillSpan, double liveRunsPerMinute, long seed) throws InterruptedException {
		TrafficSimulator simulator = new TrafficSimulator(bootstrapServers, topic, org, seed);
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			simulator.close();
			stopped.countDown();
		}, "simulator-shutdown"));
		simulator.backfill(backfillSpan, backfillRuns, Instant.now());
		simulator.startLive(liveRunsPerMinute);
		System.out.println("Publishing to " + topic + " for org " + org + "; stop the process to end.");
		stopped.await();
	}

	private static String environment(Demo demo) {
		StringBuilder lines = new StringBuilder();
		demo.stack()
			.environment()
			.forEach((key, value) -> lines.append("  ").append(key).append('=').append(value).append('\n'));
		return lines.toString();
	}

	private static String formatRate(double perMinute) {
		return perMinute == Math.rint(perMinute) ? String.valueOf((long) perMinute) : String.valueOf(perMinute);
	}

	/**
	 * {@code <module>/target/<module>-<version>-exec.jar}, as bin/trakr-demo builds it.
	 */
	private static Path serviceJar(String module) throws IOException {
		Path target = Path.of(module, "target");
		try (Stream<Path> files = Files.list(target)) {
			return files.filter(file -> file.getFileName().toString().matches(module + "-.*-exec\\.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("No runnable jar in " + target + "; run bin/trakr-demo"));
		}
	}

}
