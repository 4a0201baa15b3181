package run.trakr.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import run.trakr.demo.simulator.TrafficSimulator;

/**
 * {@code bin/trakr-demo}: starts the demo, prints how to use it, and runs until Ctrl-C.
 * {@code simulate} runs only the traffic simulator, against a Kafka and an org of your
 * choosing (docker-compose's {@code simulator} service).
 */
@Command(name = "trakr-demo", usageHelpAutoWidth = true, sortOptions = false, subcommands = DemoMain.Simulate.class,
		description = { "Starts Kafka, PostgreSQL, Redis, the projector and the read API on this machine, creates an "
				+ "org and a read token, back-fills runs and keeps simulated traffic coming, until Ctrl-C." })
public final class DemoMain implements Callable<Integer> {

	@Option(names = { "-h", "--help" }, usageHelp = true, scope = ScopeType.INHERIT,
			description = "Show this help and exit")
	private boolean help;

	@Option(names = "--port", paramLabel = "N", defaultValue = "3000",
			description = "The read API's port (default: ${DEFAULT-VALUE}; 0 for a free one)")
	private int port;

	@Mixin
	private Traffic traffic;

	/** What the simulated traffic looks like; the demo and {@code simulate} share it. */
	static final class Traffic {

		@Option(names = "--backfill-runs", paramLabel = "N", defaultValue = "3000",
				description = "Runs published at start, spread over the back-fill days (default: ${DEFAULT-VALUE})")
		int backfillRuns;

		@Option(names = "--backfill-days", paramLabel = "N", defaultValue = "30",
				description = "Days the back-filled runs cover (default: ${DEFAULT-VALUE})")
		int backfillDays;

		@Option(names = "--live-runs-per-minute", paramLabel = "R", defaultValue = "20",
				description = "New runs a minute afterwards (default: ${DEFAULT-VALUE}; 0 for none)")
		double liveRunsPerMinute;

		@Option(names = "--seed", paramLabel = "N", description = "Seed of the simulated traffic (default: the clock)")
		Long seed;

		long seedOrClock() {
			return (this.seed != null) ? this.seed : System.nanoTime();
		}

	}

	@Command(name = "simulate", usageHelpAutoWidth = true, sortOptions = false,
			description = { "Publishes simulated traffic for one org to a Kafka of your choosing until stopped." })
	static final class Simulate implements Callable<Integer> {

		@Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT",
				description = "Kafka to publish to")
		private String bootstrapServers;

		@Option(names = "--org", paramLabel = "ORG_ID", defaultValue = "${env:TRAKR_DEMO_ORG}",
				description = "The org to publish for (default: TRAKR_DEMO_ORG); create one with trakr-admin org create")
		private String org;

		@Option(names = "--topic", paramLabel = "TOPIC", defaultValue = Demo.TOPIC,
				description = "Ingest topic (default: ${DEFAULT-VALUE})")
		private String topic;

		@Mixin
		private Traffic traffic;

		@Spec
		private CommandSpec spec;

		@Override
		public Integer call() throws InterruptedException {
			if (this.org == null || this.org.isBlank()) {
				throw new ParameterException(this.spec.commandLine(),
						"No org: pass --org ORG_ID or set TRAKR_DEMO_ORG (create one with trakr-admin org create)");
			}
			UUID orgId;
			try {
				orgId = UUID.fromString(this.org.strip());
			}
			catch (IllegalArgumentException ex) {
				throw new ParameterException(this.spec.commandLine(), "Not an org id: " + this.org);
			}
			simulate(this.bootstrapServers, this.topic, orgId, this.traffic);
			return 0;
		}

	}

	public static void main(String[] args) {
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "run/trakr/demo/demo-logback.xml");
		}
		System.exit(new CommandLine(new DemoMain()).setExecutionExceptionHandler(DemoMain::failed).execute(args));
	}

	/** A failure is one line on stderr and exit code 1, not a stack trace. */
	private static int failed(Exception ex, CommandLine command, CommandLine.ParseResult parsed) {
		command.getErr().println("Failed: " + ex.getMessage());
		return 1;
	}

	@Override
	public Integer call() throws IOException, InterruptedException {
		Instant begin = Instant.now();
		System.out.println("Starting Kafka, PostgreSQL, Redis, the projector and the read API...");
		Demo demo = new Demo(new Demo.Settings(this.port, serviceJar("ingest-projector"), serviceJar("read-api"),
				Path.of("demo", "target", "logs"), this.traffic.backfillRuns,
				Duration.ofDays(this.traffic.backfillDays), this.traffic.liveRunsPerMinute,
				this.traffic.seedOrClock()));
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
			return 1;
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
				""", Duration.between(begin, Instant.now()).toSeconds(), this.traffic.backfillRuns,
				this.traffic.backfillDays, formatRate(this.traffic.liveRunsPerMinute), demo.url(), demo.token(),
				demo.org(), demo.url(), demo.token(), demo.readApiManagement(), environment(demo));
		stopped.await();
		return 0;
	}

	/** Back-fills, then publishes live traffic until the process is stopped. */
	private static void simulate(String bootstrapServers, String topic, UUID org, Traffic traffic)
			throws InterruptedException {
		TrafficSimulator simulator = new TrafficSimulator(bootstrapServers, topic, org, traffic.seedOrClock());
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			simulator.close();
			stopped.countDown();
		}, "simulator-shutdown"));
		simulator.backfill(Duration.ofDays(traffic.backfillDays), traffic.backfillRuns, Instant.now());
		simulator.startLive(traffic.liveRunsPerMinute);
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
