package run.trakr.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compose file as a real Compose implementation reads it: {@code docker-compose
 * config} (Debian's package, which {@code .ci/run} installs) or {@code docker compose
 * config}, run with an empty environment and no {@code .env}, so the result is what a new
 * user's first {@code up} would start. Without either tool the tests that need it are
 * skipped, loudly; under {@code CI=true} they fail instead.
 */
final class RealCompose {

	/**
	 * The model of the one compose file the tests read: running Compose once is enough.
	 */
	private static JsonNode model;

	private RealCompose() {
	}

	/** The interpolated model ({@code services}, {@code volumes}, ...). */
	static synchronized JsonNode config(Path repository) throws IOException, InterruptedException {
		if (model == null) {
			model = run(repository);
		}
		return model;
	}

	private static JsonNode run(Path repository) throws IOException, InterruptedException {
		List<String> command = command();
		Path emptyEnv = Files.createTempFile("compose", ".env");
		try {
			List<String> arguments = new ArrayList<>(command);
			arguments.addAll(List.of("--env-file", emptyEnv.toString(), "--file",
					repository.resolve("docker-compose.yml").toString(), "config"));
			ProcessBuilder builder = new ProcessBuilder(arguments).directory(repository.toFile());
			Map<String, String> environment = builder.environment();
			String path = environment.get("PATH");
			environment.clear();
			environment.put("PATH", path);
			environment.put("HOME", System.getProperty("java.io.tmpdir"));
			Path output = Files.createTempFile("compose", ".out");
			Path errors = Files.createTempFile("compose", ".err");
			try {
				Process process = builder.redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
				assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("compose config finished").isTrue();
				assertThat(process.exitValue())
					.as(String.join(" ", arguments) + " with no variables set:\n"
							+ Files.readString(errors, StandardCharsets.UTF_8))
					.isZero();
				return new YAMLMapper().readTree(output.toFile());
			}
			finally {
				Files.deleteIfExists(output);
				Files.deleteIfExists(errors);
			}
		}
		finally {
			Files.deleteIfExists(emptyEnv);
		}
	}

	private static List<String> command() throws InterruptedException {
		for (List<String> candidate : List.of(List.of("docker-compose"), List.of("docker", "compose"))) {
			if (answers(candidate)) {
				return candidate;
			}
		}
		String missing = "No Compose here (docker-compose or docker compose): the compose file was NOT checked "
				+ "by a real Compose. Install it: apt-get install docker-compose";
		assertThat(System.getenv("CI")).as(missing + " (CI=true must not skip)").isNotEqualTo("true");
		System.err.println("SKIPPED: " + missing);
		Assumptions.abort(missing);
		return List.of();
	}

	private static boolean answers(List<String> candidate) throws InterruptedException {
		List<String> version = new ArrayList<>(candidate);
		version.add("version");
		try {
			Process process = new ProcessBuilder(version).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
