package run.trakr.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import run.trakr.demo.simulator.AgentRuns;
import run.trakr.demo.simulator.AgentRuns.Workflow;
import run.trakr.demo.simulator.TimedEvent;
import run.trakr.localstack.KafkaCluster;
import run.trakr.localstack.LocalStack;

/**
 * {@code bench/projector-throughput.sh} (issue 3): end-to-end projection throughput and
 * produce-to-visible latency of the packaged projector (its own JVM, capped heap) on a
 * durable local stack.
 *
 * <ol>
 * <li>Publishes {@code --events} events (realistic mix per run: one {@code run_started},
 * about 8 {@code llm_call}, about 5 {@code tool_use}, one {@code run_ended}; child runs,
 * alerts, 1% SDK retries) for 10 orgs before the projector starts.</li>
 * <li>Starts the projector and measures how fast it drains that backlog: events applied
 * (its offsets in PostgreSQL, committed with the writes) per second, from its first
 * commit to its last.</li>
 * <li>Then publishes at a fixed rate for {@code --latency-seconds} and measures, for
 * every record, the time from the producer's send to the commit that makes it visible
 * (offsets polled every 20 ms).</li>
 * <li>Reports the projector JVM's peak RSS ({@code VmHWM}).</li>
 * </ol>
 */
final class ProjectorBenchmark {

	private static final String TOPIC = "trakr.ingest.v1";

	/**
	 * About 8 calls and, at 6 in 10 calls, about 5 tool uses per run; 15% start a child.
	 */
	private static final List<Workflow> WORKFLOWS = workflows();

	private final LocalStack stack;

	private final Map<String, String> options;

	/** The stack's broker, or the three-broker cluster's. */
	private String bootstrapServers;

	private ProjectorBenchmark(LocalStack stack, Map<String, String> options) {
		this.stack = stack;
		this.options = options;
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new HashMap<>(
				Map.of("--events", "2000000", "--partitions", "6", "--concurrency", "2", "--max-poll-records", "2000",
						"--heap", "1g", "--latency-rate", "0", "--latency-seconds", "60", "--durable", "true"));
		options.put("--kafka-brokers", "1");
		for (int i = 0; i + 1 < args.length; i += 2) {
			if (!options.containsKey(args[i])) {
				System.err.println("Unknown option " + args[i] + "; known: " + options.keySet());
				System.exit(2);
			}
			options.put(args[i], args[i + 1]);
		}
		System.out.println("Options: " + options);
		boolean durable = Boolean.parseBoolean(options.get("--durable"));
		try (LocalStack stack = LocalStack.start(new LocalStack.Settings(0, 0, 0, durable))) {
			new ProjectorBenchmark(stack, options).run();
		}
		System.exit(0);
	}

	private void run() throws Exception {
		int partitions = Integer.parseInt(this.options.get("--partitions"));
		int brokers = Integer.parseInt(this.options.get("--kafka-brokers"));
		if (brokers == 3) {
			// Replication factor 3, two in sync: what the producers' acks=all wait for.
			KafkaCluster cluster = this.stack.startKafkaCluster();
			cluster.createTopic(TOPIC, partitions);
			this.bootstrapServers = cluster.bootstrapServers();
			run(partitions);
			return;
		}
		if (brokers != 1) {
			throw new IllegalArgumentException("--kafka-brokers is 1 or 3");
		}
		this.bootstrapServers = this.stack.kafkaBootstrapServers();
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers))) {
			admin
				.createTopics(
						List.of(new NewTopic(TOPIC, partitions, (short) 1), new NewTopic(TOPIC + ".dlq", 1, (short) 1)))
				.all()
				.get();
		}
		run(partitions);
	}

	private void run(int partitions) throws Exception {
		long events = Long.parseLong(this.options.get("--events"));
		Random random = new Random(20261129);
		List<AgentRuns> orgs = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			orgs.add(new AgentRuns(UUID.randomUUID(), random, WORKFLOWS));
		}
		try (KafkaProducer<byte[], byte[]> producer = producer()) {
			Instant start = Instant.now();
			long[] runs = { 0 };
			long published = publish(producer, orgs, random, events, runs, null);
			Duration took = Duration.between(start, Instant.now());
			System.out.printf("Backlog: %,d events (%,d top-level runs) published in %.1f s%n", published, runs[0],
					took.toMillis() / 1000.0);

			Path logs = Files.createDirectories(Path.of("target", "bench"));
			Map<String, String> environment = new HashMap<>(this.stack.environment());
			environment.put("PORT", String.valueOf(Demo.freePort()));
			environment.put("SPRING_KAFKA_BOOTSTRAPSERVERS", this.bootstrapServers);
			environment.put("SPRING_KAFKA_LISTENER_CONCURRENCY", this.options.get("--concurrency"));
			environment.put("SPRING_KAFKA_CONSUMER_MAXPOLLRECORDS", this.options.get("--max-poll-records"));
			try (ServiceProcess projector = ServiceProcess.start("ingest-projector", jar(),
					List.of("-Xmx" + this.options.get("--heap"), "-Xms" + this.options.get("--heap")), environment,
					logs.resolve("projector.log"));
					Connection db = DriverManager.getConnection(this.stack.jdbcUrl(), this.stack.postgresUser(),
							this.stack.postgresPassword())) {
				CpuTime cpu = new CpuTime(projector.javaPids(), postmaster(db));
				double throughput = drain(db, published, cpu);
				bytesPerRow(db);
				reference(db, published, throughput);
				latency(producer, orgs, random, db, throughput);
				System.out.printf("Projector peak RSS (VmHWM): %s; heap fixed at -Xmx%s%n", peakRss(projector),
						this.options.get("--heap"));
			}
		}
	}

	/**
	 * Waits until the backlog is applied; prints and returns events per second, and the
	 * events per CPU second the projector and PostgreSQL spent meanwhile.
	 */
	private double drain(Connection db, long total, CpuTime cpu)
			throws SQLException, InterruptedException, IOException {
		Instant first = null;
		long firstApplied = 0;
		Instant lastReport = Instant.now();
		while (true) {
			long applied = applied(db).values().stream().mapToLong(Long::longValue).sum();
			Instant now = Instant.now();
			if (first == null && applied > 0) {
				first = now;
				firstApplied = applied;
				cpu.start();
			}
			if (Duration.between(lastReport, now).toSeconds() >= 10) {
				System.out.printf("  applied %,d of %,d%n", applied, total);
				lastReport = now;
			}
			if (applied >= total) {
				double seconds = Duration.between(first, now).toMillis() / 1000.0;
				double rate = (applied - firstApplied) / seconds;
				System.out.printf("Drain: %,d events applied in %.1f s after the first commit: %,.0f events/s%n",
						applied - firstApplied, seconds, rate);
				double[] used = cpu.secondsSinceStart();
				System.out.printf(
						"CPU during the drain: projector %.1f s (%,.0f events per CPU second, %.2f cores busy),"
								+ " PostgreSQL %.1f s (%,.0f events per CPU second, %.2f cores busy)%n",
						used[0], (applied - firstApplied) / used[0], used[0] / seconds, used[1],
						(applied - firstApplied) / used[1], used[1] / seconds);
				return rate;
			}
			Thread.sleep(100);
		}
	}

	/** Publishes at a fixed rate and measures send-to-visible per record. */
	private void latency(KafkaProducer<byte[], byte[]> producer, List<AgentRuns> orgs, Random random, Connection db,
			double throughput) throws Exception {
		double rate = Double.parseDouble(this.options.get("--latency-rate"));
		if (rate <= 0) {
			rate = Math.floor(throughput / 2 / 100) * 100;
		}
		int seconds = Integer.parseInt(this.options.get("--latency-seconds"));
		Map<Integer, Long> start = applied(db);
		Map<Integer, Map<Long, Long>> sentAt = new ConcurrentHashMap<>();
		long total = (long) (rate * seconds);
		List<Long> visible = Collections.synchronizedList(new ArrayList<>());
		// Set once the producer is done: where each partition ends.
		AtomicReference<Map<Integer, Long>> ends = new AtomicReference<>();
		// Polls while the producer runs: a record is visible at the first poll that finds
		// its partition's stored offset past it.
		Thread poller = new Thread(() -> {
			Map<Integer, Long> seen = new HashMap<>(start);
			try {
				while (ends.get() == null || ends.get()
					.entrySet()
					.stream()
					.anyMatch(end -> seen.getOrDefault(end.getKey(), 0L) < end.getValue())) {
					Map<Integer, Long> now = applied(db);
					long at = System.nanoTime();
					for (Map.Entry<Integer, Long> partition : now.entrySet()) {
						long from = seen.getOrDefault(partition.getKey(), 0L);
						Map<Long, Long> sends = sentAt.getOrDefault(partition.getKey(), Map.of());
						for (long offset = from; offset < partition.getValue(); offset++) {
							Long sendTime = sends.get(offset);
							if (sendTime != null) {
								visible.add(at - sendTime);
							}
						}
						seen.put(partition.getKey(), Math.max(from, partition.getValue()));
					}
					Thread.sleep(20);
				}
			}
			catch (SQLException | InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		}, "visibility-poller");
		poller.start();
		long begin = System.nanoTime();
		long published = 0;
		long[] runs = { 0 };
		while (published < total) {
			// Open loop: keep to the schedule, however the projector is doing.
			long due = (long) ((System.nanoTime() - begin) / 1e9 * rate);
			if (published < due) {
				published += publish(producer, orgs, random, Math.min(due, total) - published, runs,
						(partition, offset) -> {
							sentAt.computeIfAbsent(partition, p -> new ConcurrentHashMap<>())
								.put(offset, System.nanoTime());
						});
			}
			else {
				Thread.sleep(1);
			}
		}
		producer.flush();
		Map<Integer, Long> last = new HashMap<>();
		sentAt.forEach((partition, offsets) -> last.put(partition,
				offsets.keySet().stream().mapToLong(Long::longValue).max().orElse(-1) + 1));
		ends.set(last);
		poller.join();
		long[] latencies = visible.stream().mapToLong(Long::longValue).toArray();
		Arrays.sort(latencies);
		System.out.printf(
				"Latency at %,.0f events/s for %d s (%,d events): produce -> visible p50 %.1f ms, p99 %.1f ms, max %.1f ms"
						+ " (offsets polled every 20 ms)%n",
				rate, seconds, latencies.length, percentile(latencies, 0.50), percentile(latencies, 0.99),
				latencies[latencies.length - 1] / 1e6);
	}

	private interface Sent {

		void at(int partition, long offset);

	}

	/**
	 * Publishes whole runs until at least {@code count} events went out; returns how
	 * many.
	 */
	private static long publish(KafkaProducer<byte[], byte[]> producer, List<AgentRuns> orgs, Random random, long count,
			long[] runs, Sent sent) {
		long published = 0;
		Instant now = Instant.now();
		while (published < count) {
			AgentRuns org = orgs.get(random.nextInt(orgs.size()));
			Instant startedAt = now.minusSeconds(random.nextInt(7 * 24 * 3600));
			for (TimedEvent event : org.run(startedAt)) {
				producer.send(new ProducerRecord<>(TOPIC, event.key().getBytes(StandardCharsets.UTF_8),
						event.json().getBytes(StandardCharsets.UTF_8)), (metadata, failure) -> {
							if (failure != null) {
								throw new IllegalStateException(failure);
							}
							if (sent != null) {
								sent.at(metadata.partition(), metadata.offset());
							}
						});
				published++;
			}
			runs[0]++;
		}
		return published;
	}

	/**
	 * The same run's reference (issue 18): how fast this PostgreSQL takes the rows the
	 * drain wrote (runs, calls, tool uses) with no projection logic at all, as one binary
	 * {@code COPY} each into unlogged tables without indexes; printed as events per
	 * second (the backlog's events over the copies' time) and the drain's ratio to it.
	 */
	private static void reference(Connection db, long events, double drained) throws SQLException, IOException {
		CopyManager copies = db.unwrap(PGConnection.class).getCopyAPI();
		Path dump = Files.createTempFile("projector-reference", ".bin");
		long nanos = 0;
		long rows = 0;
		try (var statement = db.createStatement()) {
			for (String table : List.of("runs", "llm_calls", "tool_uses")) {
				try (var out = Files.newOutputStream(dump)) {
					// A partitioned table is copied out through a query.
					copies.copyOut("COPY (SELECT * FROM " + table + ") TO STDOUT (FORMAT binary)", out);
				}
				statement.execute("DROP TABLE IF EXISTS reference_" + table);
				statement.execute("CREATE UNLOGGED TABLE reference_" + table + " (LIKE " + table + ")");
				long started = System.nanoTime();
				try (var in = Files.newInputStream(dump)) {
					rows += copies.copyIn("COPY reference_" + table + " FROM STDIN (FORMAT binary)", in);
				}
				nanos += System.nanoTime() - started;
				statement.execute("DROP TABLE reference_" + table);
			}
		}
		finally {
			Files.deleteIfExists(dump);
		}
		double reference = events / (nanos / 1e9);
		System.out.printf(
				"Reference: the drain's %,d rows (runs, calls, tool uses) by binary COPY into unlogged tables"
						+ " without indexes in %.1f s: %,.0f events/s; the drain ran at %.3f of that%n",
				rows, nanos / 1e9, reference, drained / reference);
	}

	/** The PostgreSQL server's main process: the parent of this connection's backend. */
	private static long postmaster(Connection db) throws SQLException {
		try (var statement = db.createStatement(); var rows = statement.executeQuery("SELECT pg_backend_pid()")) {
			rows.next();
			return ProcessHandle.of(rows.getLong(1)).flatMap(ProcessHandle::parent).orElseThrow().pid();
		}
	}

	/**
	 * What the projection stores per row: each table with its indexes and TOAST, over its
	 * rows (the live ones; bloat from updates counts, as on a real server).
	 */
	private static void bytesPerRow(Connection db) throws SQLException {
		try (var statement = db.createStatement()) {
			statement.execute("VACUUM ANALYZE");
			for (String table : List.of("runs", "llm_calls", "tool_uses", "workflow_rollups", "tool_rollups",
					"rollup_revisions")) {
				// A partitioned table's size is its partitions'; pg_partition_tree has no
				// leaf for a plain table.
				try (var rows = statement.executeQuery("SELECT (SELECT count(*) FROM " + table
						+ "), coalesce(sum(pg_table_size(relid)), pg_table_size('" + table
						+ "')), coalesce(sum(pg_indexes_size(relid)), pg_indexes_size('" + table
						+ "')) FROM pg_partition_tree('" + table + "') WHERE isleaf")) {
					rows.next();
					long count = rows.getLong(1);
					System.out.printf("Bytes per row, %s: %,d rows, %.0f table + %.0f indexes = %.0f%n", table, count,
							rows.getLong(2) / (double) count, rows.getLong(3) / (double) count,
							(rows.getLong(2) + rows.getLong(3)) / (double) count);
				}
			}
		}
	}

	private static Map<Integer, Long> applied(Connection db) throws SQLException {
		return ProjectionProgress.projectedOffsets(db, TOPIC);
	}

	private static double percentile(long[] sorted, double p) {
		return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
	}

	private static String peakRss(ServiceProcess projector) throws IOException {
		for (long pid : projector.javaPids()) {
			for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
				if (line.startsWith("VmHWM:")) {
					return line.substring("VmHWM:".length()).strip();
				}
			}
		}
		return "unknown";
	}

	private KafkaProducer<byte[], byte[]> producer() {
		Properties properties = new Properties();
		properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers);
		properties.put(ProducerConfig.ACKS_CONFIG, "all");
		properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
		properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
		properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
		return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
	}

	private static List<Workflow> workflows() {
		List<Workflow> workflows = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			workflows.add(new Workflow("bench-" + i, 10, "gpt-4o-mini", "openai", "0.00015", "0.0006",
					List.of("search", "fetch", "write", "run_code"), 6, 10, 0.05, 0.005, 0.005, "bench-child", 0.15));
		}
		workflows.add(new Workflow("bench-child", 0, "gpt-4o-mini", "openai", "0.00015", "0.0006",
				List.of("search", "fetch"), 6, 10, 0.05, 0.0, 0.0, null, 0));
		return workflows;
	}

	private static Path jar() {
		Path jar = Path.of(System.getProperty("trakr.projector.jar", ""));
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("Set -Dtrakr.projector.jar to the projector's packaged jar");
		}
		return jar;
	}

}
