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
	 * The models read so far, by their files: running Compose once for each is enough.
	 */
	private static final Map<List<String>, JsonNode> MODELS = new java.util.HashMap<>();

	private RealCompose() {
	}

	/** The interpolated model ({@code services}, {@code volumes}, ...). */
	static JsonNode config(Path repository) throws IOException, InterruptedException {
		return config(repository, List.of("docker-compose.yml"));
	}

	/**
	 * The model of several files, each merged over the ones before it
	 * ({@code --file a --file b}).
	 */
	static synchronized JsonNode config(Path repository, List<String> files) throws IOException, InterruptedException {
		JsonNode model = MODELS.get(files);
		if (model == null) {
			model = run(repository, files);
			MODELS.put(List.copyOf(files), model);
		}
		return model;
	}

	/** A mount: a named volume or a bind-mounted path, and where it lands. */
	record Mount(String source, String target) {

		boolean named() {
			return !this.source.startsWith("/") && !this.source.startsWith(".");
		}

	}

	/** The service's mounts, in the short ("source:target:mode") or the long syntax. */
	static List<Mount> mounts(JsonNode service) {
		List<Mount> mounts = new ArrayList<>();
		service.path("volumes").forEach(volume -> {
			if (volume.isString()) {
				String[] parts = volume.asString().split(":");
				mounts.add(new Mount(parts[0], parts[1]));
			}
			else {
				mounts.add(new Mount(volume.path("source").asString(), volume.path("target").asString()));
			}
		});
		return mounts;
	}

	/**
	 * The services' memory limits added up, in MiB; every long-running service must have
	 * one (the one-shot secret writer needs none).
	 */
	static long memoryLimitMiB(JsonNode services) {
		long total = 0;
		for (String service : services.propertyNames()) {
			if (service.equals("cursor-secret")) {
				continue;
			}
			String limit = services.path(service).path("mem_limit").asString();
			assertThat(limit).as(service + " mem_limit").matches("\\d+[mg]");
			total += Long.parseLong(limit.substring(0, limit.length() - 1)) * (limit.endsWith("g") ? 1024 : 1);
		}
		return total;
	}

	/**
	 * Every dependency is a service of the model, and a service waits for it to be
	 * healthy, or for a one-shot job (which has no health check) to complete.
	 */
	static void assertDependenciesWaitForHealth(JsonNode services) {
		for (String service : services.propertyNames()) {
			for (String dependency : services.path(service).path("depends_on").propertyNames()) {
				assertThat(services.has(dependency)).as(service + " -> " + dependency).isTrue();
				assertThat(services.path(service).path("depends_on").path(dependency).path("condition").asString())
					.as(service + " -> " + dependency)
					.isEqualTo(services.path(dependency).has("healthcheck") ? "service_healthy"
							: "service_completed_successfully");
			}
		}
	}

	/** {@code host_ip:published->target} for each published port, in either syntax. */
	static List<String> publishedPorts(JsonNode service) {
		List<String> ports = new ArrayList<>();
		service.path("ports").forEach(port -> {
			if (port.isString()) {
				String[] parts = port.asString().replaceAll("/tcp$", "").split(":");
				ports.add((parts.length == 3) ? parts[0] + ":" + parts[1] + "->" + parts[2]
						: "0.0.0.0:" + parts[0] + "->" + parts[1]);
			}
			else {
				String hostIp = port.path("host_ip").asString("0.0.0.0");
				ports.add(hostIp + ":" + port.path("published").asString() + "->" + port.path("target").asString());
			}
		});
		return ports;
	}

	private static JsonNode run(Path repository, List<String> files) throws IOException, InterruptedException {
		List<String> command = command();
		Path emptyEnv = Files.createTempFile("compose", ".env");
		try {
			List<String> arguments = new ArrayList<>(command);
			arguments.addAll(List.of("--env-file", emptyEnv.toString()));
			for (String file : files) {
				arguments.addAll(List.of("--file", repository.resolve(file).toString()));
			}
			arguments.add("config");
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
