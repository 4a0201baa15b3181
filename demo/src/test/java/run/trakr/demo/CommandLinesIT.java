package run.trakr.demo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import run.trakr.localstack.JavaProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code bin/} command lines as a user meets them: {@code --help} answers at once (no
 * build, no Java, nothing started or connected) with the same text as the command's own
 * help, and a bad argument gets one line, the usage or a suggestion, exit code 2 and
 * never a stack trace. Runs the packaged jars, which the reactor built before this phase.
 */
class CommandLinesIT {

	private static final Path REPOSITORY = Path.of(System.getProperty("trakr.repository.dir", ".."))
		.toAbsolutePath()
		.normalize();

	@ParameterizedTest
	@CsvSource({ "trakr-demo, demo, ''", "local-stack, local-stack, ''", "trakr-admin, read-api, admin",
			"trakr-projector, ingest-projector, ''" })
	void helpAnswersAtOnceWithTheCommandsOwnUsage(String script, String module, String firstArgument) throws Exception {
		Instant begin = Instant.now();
		Result help = run(List.of(REPOSITORY.resolve("bin").resolve(script).toString(), "--help"));
		assertThat(help.exit()).as(help.err()).isZero();
		assertThat(help.took()).as("bin/%s --help", script).isLessThan(Duration.ofSeconds(2));
		assertThat(javaProcessesStartedSince(begin)).as("no Java process started by --help").isEmpty();

		Result own = run(java(module, firstArgument, "--help"));
		assertThat(own.exit()).isZero();
		assertThat(help.out()).as("bin/%s --help is the command's own usage", script).isEqualTo(own.out());
		assertThat(own.out()).startsWith("Usage: " + script);
	}

	@ParameterizedTest
	@CsvSource({ "demo, '', --prot", "demo, simulate, --bootstrap-servers", "local-stack, '', --kafka-port",
			"local-stack, '', --redis-port=six", "read-api, admin, org lst", "read-api, admin, org create --plan gold",
			"ingest-projector, '', --kafka-port", "ingest-projector, verify, --repiar" })
	void aBadArgumentGetsOneLineAndExitCodeTwo(String module, String command, String arguments) throws Exception {
		List<String> words = new ArrayList<>(List.of(command.isEmpty() ? new String[0] : new String[] { command }));
		words.addAll(List.of(arguments.split(" ")));
		Result bad = run(java(module, words.toArray(String[]::new)));
		assertThat(bad.exit()).as(bad.out() + bad.err()).isEqualTo(2);
		assertThat(bad.out()).isEmpty();
		assertThat(bad.err().lines().findFirst().orElse("")).isNotBlank();
		assertThat(bad.err()).containsAnyOf("Usage: ", "Did you mean", "Possible solutions")
			.doesNotContain("Exception", "\tat ");
		assertThat(bad.took()).isLessThan(Duration.ofSeconds(10));
	}

	/**
	 * The README's JSON logs: with {@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs} every
	 * console line of a packaged service is one JSON object (here a service that cannot
	 * reach its database, so it logs its start and its failure, then exits).
	 */
	@ParameterizedTest
	@CsvSource({ "read-api", "ingest-projector" })
	void servicesLogOneJsonObjectALineWhenAsked(String module) throws Exception {
		Path out = Files.createTempFile("service", ".out");
		try {
			ProcessBuilder builder = JavaProcess.packaged(REPOSITORY.resolve(module), module)
				.builder(List.of("-Dspring.datasource.hikari.initialization-fail-timeout=1"),
						Map.of("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs", "SPRING_DATASOURCE_URL",
								"jdbc:postgresql://127.0.0.1:9/trakr", "SPRING_KAFKA_BOOTSTRAPSERVERS", "127.0.0.1:9",
								"TRAKR_CURSOR_SECRET", "command-lines-it-cursor-secret-7d1f", "PORT", "0",
								"MANAGEMENT_PORT", "0"),
						List.of())
				.redirectOutput(out.toFile())
				.redirectError(ProcessBuilder.Redirect.DISCARD);
			Process service = builder.start();
			try {
				service.waitFor(60, TimeUnit.SECONDS);
			}
			finally {
				JavaProcess.stop(service);
			}
			List<String> lines = Files.readAllLines(out).stream().filter(line -> !line.isBlank()).toList();
			assertThat(lines).as(module + " logged").isNotEmpty();
			tools.jackson.databind.ObjectMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
			for (String line : lines) {
				assertThat(json.readTree(line).path("message").isMissingNode()).as(line).isFalse();
			}
		}
		finally {
			Files.deleteIfExists(out);
		}
	}

	private static List<String> java(String module, String... arguments) {
		return new ArrayList<>(JavaProcess.packaged(REPOSITORY.resolve(module), module)
			.command(List.of(), Arrays.stream(arguments).filter(argument -> !argument.isEmpty()).toList()));
	}

	private record Result(int exit, String out, String err, Duration took) {
	}

	/**
	 * Runs with nothing to connect to: the database and Redis are ports where nothing
	 * listens, so a command that tried to connect would fail or hang, not pass.
	 */
	private static Result run(List<String> command) throws Exception {
		Path out = Files.createTempFile("cli", ".out");
		Path err = Files.createTempFile("cli", ".err");
		try {
			ProcessBuilder builder = new ProcessBuilder(command).directory(REPOSITORY.toFile())
				.redirectOutput(out.toFile())
				.redirectError(err.toFile());
			builder.environment().put("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:9/trakr");
			builder.environment().put("SPRING_DATA_REDIS_URL", "redis://127.0.0.1:9");
			builder.environment().put("SPRING_KAFKA_BOOTSTRAPSERVERS", "127.0.0.1:9");
			builder.environment().remove("TRAKR_DEMO_ORG");
			Instant begin = Instant.now();
			Process process = builder.start();
			boolean ended = process.waitFor(30, TimeUnit.SECONDS);
			Duration took = Duration.between(begin, Instant.now());
			if (!ended) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
			}
			assertThat(ended).as(String.join(" ", command) + " ended").isTrue();
			return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
					Files.readString(err, StandardCharsets.UTF_8), took);
		}
		finally {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
		}
	}

	private static List<String> javaProcessesStartedSince(Instant begin) {
		return ProcessHandle.allProcesses()
			.filter(process -> process.info().startInstant().map(start -> !start.isBefore(begin)).orElse(false))
			.map(process -> process.info().commandLine().orElse(""))
			.filter(line -> line.contains("-exec.jar"))
			.toList();
	}

}
