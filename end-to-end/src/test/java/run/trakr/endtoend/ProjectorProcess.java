package run.trakr.endtoend;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import run.trakr.localstack.LocalStack;

/** The packaged ingest-projector, running in its own JVM as it does in production. */
final class ProjectorProcess implements AutoCloseable {

	private final Process process;

	private ProjectorProcess(Process process) {
		this.process = process;
	}

	/** Starts a projector on {@code topic}, writing to the stack's default database. */
	static ProjectorProcess start(LocalStack stack, String topic) throws IOException {
		String jar = System.getProperty("trakr.projector.jar");
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("Run through Maven: the projector's packaged jar is needed (" + jar + ")");
		}
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", jar));
		Map<String, String> properties = new HashMap<>(stack.springProperties());
		properties.put("trakr.projector.topic", topic);
		properties.put("trakr.projector.dead-letter-topic", topic + ".dlq");
		properties.put("spring.kafka.consumer.group-id", "projector-" + topic);
		properties.put("server.port", "0");
		properties.forEach((key, value) -> command.add("--" + key + "=" + value));
		Files.createDirectories(Path.of("target"));
		return new ProjectorProcess(new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(new File("target/projector-" + topic + ".log"))
			.start());
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor();
		}
	}

}
