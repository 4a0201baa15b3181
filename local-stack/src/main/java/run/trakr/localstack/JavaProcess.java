package run.trakr.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Java program in a JVM of its own, started with this JVM's {@code java}: a packaged
 * service jar as production runs it, or a main class of this classpath. The demo starts
 * its services this way, and tests that must kill a service or read what it prints do
 * too.
 */
public final class JavaProcess {

	private final List<String> launch;

	private JavaProcess(List<String> launch) {
		this.launch = launch;
	}

	/** A runnable jar. */
	public static JavaProcess jar(Path jar) {
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("No packaged jar at " + jar + ": build it first (run through Maven)");
		}
		return new JavaProcess(List.of("-jar", jar.toString()));
	}

	/**
	 * The runnable jar {@code target/<module>-<version>-exec.jar} a module's build
	 * packaged.
	 */
	public static JavaProcess packaged(Path moduleDirectory, String module) {
		try (Stream<Path> files = Files.list(moduleDirectory.resolve("target"))) {
			return jar(files.filter(file -> file.getFileName().toString().matches(module + "-.*-exec\\.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException(
						"No packaged jar of " + module + " in " + moduleDirectory + "/target: build it first")));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A main class of this JVM's classpath. */
	public static JavaProcess mainClass(Class<?> main) {
		return new JavaProcess(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
	}

	/**
	 * Spring Boot properties as command-line arguments, which outrank application.yml.
	 */
	public static List<String> springArguments(Map<String, ?> properties) {
		return properties.entrySet().stream().map(entry -> "--" + entry.getKey() + "=" + entry.getValue()).toList();
	}

	/** The command line: JVM options, then the program, then its arguments. */
	public List<String> command(List<String> jvmOptions, List<String> arguments) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.addAll(this.launch);
		command.addAll(arguments);
		return command;
	}

	/**
	 * A builder for the command, with {@code environment} added to this process's own.
	 */
	public ProcessBuilder builder(List<String> jvmOptions, Map<String, String> environment, List<String> arguments) {
		ProcessBuilder builder = new ProcessBuilder(command(jvmOptions, arguments));
		builder.environment().putAll(environment);
		return builder;
	}

	/**
	 * Stops a started process as an orchestrator would: SIGTERM, up to 20 s for a
	 * graceful shutdown, then SIGKILL to it and anything it started.
	 */
	public static void stop(Process process) {
		process.destroy();
		try {
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

}
