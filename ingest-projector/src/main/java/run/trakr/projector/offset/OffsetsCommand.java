package run.trakr.projector.offset;

import java.io.PrintStream;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import run.trakr.projector.system.CommandLines;
import run.trakr.schema.DatabaseSettings;

import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;

/**
 * {@code trakr-projector offsets [--reset-beyond-end]}: each partition's stored next
 * offset beside its end in Kafka. With {@code --reset-beyond-end}, forgets the stored
 * offsets that lie beyond the end (the topic was recreated or lost its data), so that a
 * restarted projector reads those partitions from their beginning. Other partitions are
 * left alone: resetting them would project their records twice.
 */
@Command(name = "offsets", usageHelpAutoWidth = true,
		description = { "Shows each partition's stored next offset beside its end in Kafka.",
				"Database: SPRING_DATASOURCE_URL, _USERNAME, _PASSWORD; Kafka: SPRING_KAFKA_BOOTSTRAPSERVERS." })
public final class OffsetsCommand implements Callable<Integer> {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Option(names = "--topic", paramLabel = "TOPIC",
			description = "The ingest topic (default: TRAKR_PROJECTOR_TOPIC or trakr.ingest.v1)")
	private String topic;

	@Option(names = "--reset-beyond-end",
			description = "Forget the stored offsets beyond their partition's end; restart the projector afterwards")
	private boolean reset;

	private final PrintStream out;

	private final Map<String, String> environment;

	public OffsetsCommand() {
		this(System.out, System.getenv());
	}

	public OffsetsCommand(PrintStream out, Map<String, String> environment) {
		this.out = out;
		this.environment = environment;
	}

	/** Parses the arguments as the command line does and runs; returns the exit code. */
	public int run(String... args) {
		return CommandLines.of(new OffsetsCommand(this.out, this.environment)).execute(args);
	}

	@Override
	public Integer call() throws Exception {
		String topic = (this.topic != null) ? this.topic
				: this.environment.getOrDefault("TRAKR_PROJECTOR_TOPIC", "trakr.ingest.v1");
		try (Connection connection = DatabaseSettings.fromEnvironment(this.environment).connect();
				Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
						this.environment.getOrDefault("SPRING_KAFKA_BOOTSTRAPSERVERS", "localhost:9092"),
						AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
						AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()))) {
			DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
			Map<Integer, Long> stored = new TreeMap<>(
					db.select(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET)
						.from(PROJECTOR_OFFSETS)
						.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
						.fetchMap(PROJECTOR_OFFSETS.PARTITION, PROJECTOR_OFFSETS.NEXT_OFFSET));
			Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(
					(a, b) -> Integer.compare(a.partition(), b.partition()));
			kafka.describeTopics(List.of(topic))
				.allTopicNames()
				.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
				.get(topic)
				.partitions()
				.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
			Map<Integer, Long> ends = new TreeMap<>();
			kafka.listOffsets(latest)
				.all()
				.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
				.forEach((partition, end) -> ends.put(partition.partition(), end.offset()));
			List<Integer> beyond = new ArrayList<>();
			this.out.printf("%-40s %9s %12s %12s  %s%n", "topic", "partition", "stored next", "end in Kafka", "state");
			for (int partition : ends.keySet()) {
				Long next = stored.get(partition);
				long end = ends.get(partition);
				String state = (next == null) ? "never projected"
						: (next > end) ? "BEYOND THE END: records would be dropped" : "ok, " + (end - next) + " behind";
				if (next != null && next > end) {
					beyond.add(partition);
				}
				this.out.printf("%-40s %9d %12s %12d  %s%n", topic, partition, (next != null) ? next : "-", end, state);
			}
			if (!this.reset) {
				if (!beyond.isEmpty()) {
					this.out.println(beyond.size() + " partition(s) beyond the end. If the topic was recreated or its "
							+ "data lost, run again with --reset-beyond-end, then restart the projector.");
				}
				return 0;
			}
			int forgotten = db.deleteFrom(PROJECTOR_OFFSETS)
				.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
				.and(PROJECTOR_OFFSETS.PARTITION.in(beyond))
				.execute();
			this.out.println("Forgot the stored offsets of " + forgotten + " partition(s) " + beyond
					+ "; restart the projector: it reads them from their beginning.");
			return 0;
		}
	}

}
