package run.trakr.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import run.trakr.localstack.JavaProcess;

/** A packaged service (a runnable jar) in its own JVM, its output in a log file. */
final class ServiceProcess implements AutoCloseable {

	/**
	 * Runs the service under a small bash guard that stops it when the demo's JVM is
	 * gone, however it ended ({@code kill -9} included): the guard's stdin is a pipe from
	 * that JVM, which the kernel closes when it dies. SIGTERM to the guard stops the
	 * service.
	 */
	private static final String GUARD = """
			"$@" & service=$!
			cat > /dev/null <&0 & parent=$!
			trap 'kill -TERM $service 2> /dev/null' TERM INT
			wait -n $service $parent
			kill -TERM $service $parent 2> /dev/null
			wait $service
			""";

	private final String name;

	private final Process process;

	private final Path log;

	private ServiceProcess(String name, Process process, Path log) {
		this.name = name;
		this.process = process;
		this.log = log;
	}

	static ServiceProcess start(String name, Path jar, List<String> jvmOptions, Map<String, String> environment,
			Path log, String... args) throws IOException {
		ProcessBuilder builder = JavaProcess.jar(jar).builder(jvmOptions, environment, List.of(args));
		List<String> guarded = new ArrayList<>(List.of("bash", "-c", GUARD, name));
		guarded.addAll(builder.command());
		return new ServiceProcess(name,
				builder.command(guarded).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
	}

	/** Runs a jar to completion (a command-line tool) and returns what it printed. */
	static String run(Path jar, Map<String, String> environment, String... args)
			throws IOException, InterruptedException {
		Process process = JavaProcess.jar(jar)
			.builder(List.of(), environment, List.of(args))
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		if (process.waitFor() != 0) {
			throw new IllegalStateException("'" + String.join(" ", args) + "' failed:\n" + output);
		}
		return output;
	}

	/**
	 * Waits until {@code health} answers 200, or fails with the service's log file named.
	 */
	void awaitHealthy(URI health, Duration timeout) throws InterruptedException {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
		Instant deadline = Instant.now().plus(timeout);
		while (Instant.now().isBefore(deadline)) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited; see " + this.log);
			}
			try {
				HttpResponse<Void> response = client.send(
						HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
						HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			Thread.sleep(250);
		}
		throw new IllegalStateException(this.name + " not healthy after " + timeout + "; see " + this.log);
	}

	/** The JVM's process ids (under the guard): for reading its memory from /proc. */
	List<Long> javaPids() {
		return this.process.descendants()
			.filter(child -> child.info().command().map(command -> command.endsWith("java")).orElse(false))
			.map(ProcessHandle::pid)
			.toList();
	}

	@Override
	public void close() {
		JavaProcess.stop(this.process);
	}

}
