package run.trakr.demo;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import run.trakr.demo.simulator.TrafficSimulator;
import run.trakr.localstack.LocalStack;

/**
 * The whole system on one machine: the local stack, the packaged projector and read-api
 * in their own JVMs, a demo org on the Pro plan with a read token, and simulated traffic
 * (back-filled, then live). Closing it stops everything.
 */
public final class Demo implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(Demo.class);

	static final String TOPIC = "trakr.ingest.v1";

	/**
	 * Each service's JVM: a bounded heap, and an exit rather than a half-dead process
	 * when it runs out (the guard then reports the service gone).
	 */
	private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError");

	private static final Pattern CREATED_ORG = Pattern.compile("Created organization ([0-9a-f-]{36})");

	/**
	 * What to run. {@code port} 0 picks a free one; {@code liveRunsPerMinute} 0 publishes
	 * only what the back-fill left for later.
	 */
	public record Settings(int port, Path projectorJar, Path readApiJar, Path logDirectory, int backfillRuns,
			Duration backfillSpan, double liveRunsPerMinute, long seed) {
	}

	private final LocalStack stack;

	private volatile ServiceProcess projector;

	private volatile ServiceProcess readApi;

	private volatile TrafficSimulator simulator;

	private URI url;

	private URI readApiManagement;

	private URI projectorManagement;

	private UUID org;

	private String token;

	private final Settings settings;

	private volatile boolean closed;

	/** Starts the local stack; {@link #start()} does the rest. */
	public Demo(Settings settings) {
		this.settings = settings;
		this.stack = LocalStack.start(new LocalStack.Settings(0, 0, 0, false));
	}

	/**
	 * Starts the services, the org and token, and the traffic; returns once the back-fill
	 * is projected and readable. Safe to {@link #close()} at any point, from any thread.
	 */
	public Demo start() throws IOException, InterruptedException {
		Files.createDirectories(this.settings.logDirectory());
		logger.info("Local stack up; starting the projector and the read API (logs in {})",
				this.settings.logDirectory());
		startServices(this.settings);
		logger.info("Services healthy; back-filling {} runs", this.settings.backfillRuns());
		Instant backfillStart = Instant.now();
		this.simulator = new TrafficSimulator(this.stack.kafkaBootstrapServers(), TOPIC, this.org,
				this.settings.seed());
		this.simulator.backfill(this.settings.backfillSpan(), this.settings.backfillRuns(), Instant.now());
		awaitProjected(Duration.ofMinutes(3));
		logger.info("Back-fill projected in {} ms", Duration.between(backfillStart, Instant.now()).toMillis());
		this.simulator.startLive(this.settings.liveRunsPerMinute());
		return this;
	}

	private void startServices(Settings settings) throws IOException, InterruptedException {
		createTopics();
		Map<String, String> environment = this.stack.environment();
		int projectorPort = freePort();
		this.projector = launch("ingest-projector", settings.projectorJar(), JVM_OPTIONS,
				with(environment, Map.of("PORT", String.valueOf(projectorPort))),
				settings.logDirectory().resolve("ingest-projector.log"));
		int port = settings.port() == 0 ? freePort() : settings.port();
		int managementPort = freePort();
		this.readApi = launch("read-api", settings.readApiJar(), JVM_OPTIONS,
				with(environment,
						Map.of("PORT", String.valueOf(port), "MANAGEMENT_PORT", String.valueOf(managementPort),
								"TRAKR_CURSOR_SECRET", newCursorSecret())),
				settings.logDirectory().resolve("read-api.log"));
		this.url = URI.create("http://localhost:" + port);
		this.readApiManagement = URI.create("http://localhost:" + managementPort);
		// The admin command line migrates the schema itself, so it need not wait for the
		// services.
		String created = ServiceProcess.run(settings.readApiJar(), environment, "admin", "org", "create", "--name",
				"Demo org", "--plan", "pro");
		Matcher matcher = CREATED_ORG.matcher(created);
		if (!matcher.find()) {
			throw new IllegalStateException("Unexpected output from 'org create': " + created);
		}
		this.org = UUID.fromString(matcher.group(1));
		this.token = ServiceProcess
			.run(settings.readApiJar(), environment, "admin", "token", "create", "--org", this.org.toString(), "--name",
					"demo", "--created-by", "trakr-demo", "--quiet")
			.strip();
		this.projectorManagement = URI.create("http://localhost:" + projectorPort);
		this.projector.awaitHealthy(this.projectorManagement.resolve("/actuator/health"), Duration.ofMinutes(2));
		this.readApi.awaitHealthy(this.readApiManagement.resolve("/actuator/health"), Duration.ofMinutes(2));
	}

	/** Starts a service unless the demo is already closing (Ctrl-C during start-up). */
	private synchronized ServiceProcess launch(String name, Path jar, List<String> jvmOptions,
			Map<String, String> environment, Path log) throws IOException {
		if (this.closed) {
			throw new IllegalStateException("Stopped");
		}
		return ServiceProcess.start(name, jar, jvmOptions, environment, log);
	}

	private void createTopics() {
		try (Admin admin = kafkaAdmin()) {
			admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1), new NewTopic(TOPIC + ".dlq", 1, (short) 1)))
				.all()
				.get();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Could not create the ingest topics", ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Waits until the projector has applied every record published so far.
	 */
	public void awaitProjected(Duration timeout) throws InterruptedException {
		ProjectionProgress.await(this.stack, TOPIC, timeout);
	}

	private Admin kafkaAdmin() {
		Properties properties = new Properties();
		properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.stack.kafkaBootstrapServers());
		return Admin.create(properties);
	}

	/** The read API's origin, e.g. {@code http://localhost:3000}. */
	public URI url() {
		return this.url;
	}

	/** The read API's Actuator (health, metrics), on its own port. */
	public URI readApiManagement() {
		return this.readApiManagement;
	}

	/** The projector's Actuator (health, metrics): all its port serves. */
	public URI projectorManagement() {
		return this.projectorManagement;
	}

	/** The demo org's read token; shown to the user, never logged. */
	public String token() {
		return this.token;
	}

	public UUID org() {
		return this.org;
	}

	public LocalStack stack() {
		return this.stack;
	}

	public TrafficSimulator simulator() {
		return this.simulator;
	}

	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		// The producer first, then the services, then the servers they use.
		if (this.simulator != null) {
			this.simulator.close();
		}
		CompletableFuture
			.allOf(CompletableFuture.runAsync(() -> closeQuietly(this.readApi)),
					CompletableFuture.runAsync(() -> closeQuietly(this.projector)))
			.join();
		this.stack.close();
	}

	private static void closeQuietly(ServiceProcess process) {
		if (process != null) {
			process.close();
		}
	}

	/**
	 * A fresh secret per demo: its data, tokens and cursors are thrown away at the end.
	 */
	private static String newCursorSecret() {
		byte[] bytes = new byte[24];
		new java.security.SecureRandom().nextBytes(bytes);
		return java.util.HexFormat.of().formatHex(bytes);
	}

	private static Map<String, String> with(Map<String, String> environment, Map<String, String> more) {
		Map<String, String> all = new HashMap<>(environment);
		all.putAll(more);
		return all;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
