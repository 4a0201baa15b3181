package run.trakr.endtoend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jooq.DSLContext;
import run.trakr.localstack.JavaProcess;
import run.trakr.localstack.LocalStack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jooq.impl.DSL.sum;
import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;

/** The packaged ingest-projector, running in its own JVM as it does in production. */
final class ProjectorProcess implements AutoCloseable {

	private final Process process;

	private final Path log;

	private ProjectorProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	/** Starts a projector on {@code topic}, writing to the stack's default database. */
	static ProjectorProcess start(LocalStack stack, String topic) throws IOException {
		return start(stack, topic, Map.of());
	}

	/** The same with more properties (another Kafka's bootstrap servers, say). */
	static ProjectorProcess start(LocalStack stack, String topic, Map<String, String> overrides) throws IOException {
		Map<String, String> properties = new HashMap<>(stack.springProperties());
		properties.putAll(overrides);
		properties.put("trakr.projector.topic", topic);
		properties.put("trakr.projector.dead-letter-topic", topic + ".dlq");
		properties.put("spring.kafka.consumer.group-id", "projector-" + topic);
		properties.put("server.port", "0");
		Files.createDirectories(Path.of("target"));
		Path log = Path.of("target/projector-" + topic + ".log");
		return new ProjectorProcess(JavaProcess.jar(Path.of(System.getProperty("trakr.projector.jar", "")))
			.builder(List.of("-Xmx512m"), Map.of(), JavaProcess.springArguments(properties))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start(), log);
	}

	/**
	 * Waits until the projector's offsets of {@code topic}, stored with its writes, sum
	 * to {@code total}: every record published has been applied.
	 */
	void awaitProjected(DSLContext db, String topic, long total) {
		await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
			assertThat(isAlive()).as(() -> "projector process exited; the end of " + this.log + ":\n" + logTail())
				.isTrue();
			Number done = db.select(sum(PROJECTOR_OFFSETS.NEXT_OFFSET))
				.from(PROJECTOR_OFFSETS)
				.where(PROJECTOR_OFFSETS.TOPIC.eq(topic))
				.fetchOne(0, Number.class);
			return done != null && done.longValue() == total;
		});
	}

	/**
	 * Runs the packaged projector's {@code verify} on the stack's database; its output.
	 */
	static String verify(LocalStack stack) throws IOException, InterruptedException {
		Process verify = JavaProcess.jar(Path.of(System.getProperty("trakr.projector.jar", "")))
			.builder(List.of("-Xmx256m"), stack.environment(), List.of("verify"))
			.redirectErrorStream(true)
			.start();
		String output = new String(verify.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		verify.waitFor();
		return output;
	}

	/** The last lines of the projector's log: why it stopped, where CI keeps no files. */
	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public void close() {
		JavaProcess.stop(this.process);
	}

}
