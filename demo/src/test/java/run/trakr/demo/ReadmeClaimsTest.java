package run.trakr.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's command lines and environment variables exist in the code: each
 * {@code bin/} script, subcommand and option is parsed by its entry point, and each
 * variable is read somewhere (literally, or as the Spring property it binds to).
 * {@code DemoIT} checks the Actuator paths and metric names against the running services.
 */
class ReadmeClaimsTest {

	private static final Path REPOSITORY = Path.of(System.getProperty("trakr.repository.dir", ".."));

	private static final ReadmeClaims README = new ReadmeClaims(REPOSITORY.resolve("README.md"));

	/** Where each script's words are parsed. */
	private static final Map<String, List<String>> ENTRY_POINTS = Map.of("trakr-demo",
			List.of("demo/src/main/java/run/trakr/demo/DemoMain.java"), "local-stack",
			List.of("local-stack/src/main/java/run/trakr/localstack/LocalStackMain.java"), "trakr-admin",
			List.of("read-api/src/main/java/run/trakr/readapi/admin/AdminCommand.java"), "trakr-projector",
			List.of("ingest-projector/src/main/java/run/trakr/projector/IngestProjectorApplication.java",
					"ingest-projector/src/main/java/run/trakr/projector/rollup/RollupCheckCommand.java",
					"ingest-projector/src/main/java/run/trakr/projector/offset/OffsetsCommand.java"));

	private static final Pattern YAML_KEY = Pattern.compile("^( *)([A-Za-z0-9_.-]+):");

	private static final Pattern PROPERTY_IN_CODE = Pattern.compile("(?:\\$\\{|--)([a-z][a-z0-9.-]+)[:=}]");

	@Test
	void everyCommandSubcommandAndOptionTheReadmeShowsIsParsedByItsScript() throws IOException {
		Map<String, Set<String>> commands = README.commandWords();
		assertThat(commands).containsKeys("trakr-demo", "local-stack", "trakr-admin", "trakr-projector");
		for (Map.Entry<String, Set<String>> command : commands.entrySet()) {
			Path script = REPOSITORY.resolve("bin").resolve(command.getKey());
			assertThat(script).as("bin/" + command.getKey()).isExecutable();
			assertThat(ENTRY_POINTS).as("where bin/%s parses its arguments", command.getKey())
				.containsKey(command.getKey());
			StringBuilder source = new StringBuilder();
			for (String file : ENTRY_POINTS.get(command.getKey())) {
				source.append(Files.readString(REPOSITORY.resolve(file)));
			}
			for (String words : command.getValue()) {
				// A subcommand path ("org create") is declared word by word.
				for (String word : words.split(" ")) {
					String bare = word.startsWith("--") ? word.substring(2) : word;
					assertThat(source.toString().contains("\"" + word + "\"")
							|| source.toString().contains("\"" + bare + "\""))
						.as("bin/%s %s is parsed", command.getKey(), words)
						.isTrue();
				}
			}
		}
	}

	@Test
	void everyEnvironmentVariableTheReadmeNamesIsReadSomewhere() {
		Set<String> variables = README.environmentVariables();
		assertThat(variables).contains("TRAKR_CURSOR_SECRET", "SPRING_DATASOURCE_URL", "MANAGEMENT_ADDRESS");
		List<String> sources = ReadmeClaims.sources(REPOSITORY, List.of(".java", ".yml", ".yaml", ".json", ".sh",
				"Dockerfile", "/bin/trakr-demo", "/bin/local-stack", "/bin/trakr-admin", "/bin/trakr-projector"));
		Set<String> properties = properties(sources);
		for (String variable : variables) {
			Pattern word = Pattern.compile("\\b" + variable + "\\b");
			boolean literal = sources.stream().anyMatch((text) -> word.matcher(text).find());
			boolean bound = properties.contains(variable.replace("_", "").toLowerCase(Locale.ROOT));
			assertThat(literal || bound).as("%s is read by the code or names a property it has", variable).isTrue();
		}
	}

	/**
	 * Every Spring property the code has, in relaxed form (lower case, no separators):
	 * the keys of the YAML files and the placeholders and arguments in the code.
	 */
	private static Set<String> properties(List<String> sources) {
		Set<String> properties = new TreeSet<>();
		for (String text : sources) {
			Deque<Map.Entry<Integer, String>> path = new ArrayDeque<>();
			for (String line : text.split("\n")) {
				Matcher key = YAML_KEY.matcher(line);
				if (key.find()) {
					int indent = key.group(1).length();
					while (!path.isEmpty() && path.peekLast().getKey() >= indent) {
						path.removeLast();
					}
					path.addLast(Map.entry(indent, key.group(2)));
					properties.add(relaxed(String.join(".", path.stream().map(Map.Entry::getValue).toList())));
				}
			}
			Matcher inCode = PROPERTY_IN_CODE.matcher(text);
			while (inCode.find()) {
				properties.add(relaxed(inCode.group(1)));
			}
		}
		return properties;
	}

	private static String relaxed(String property) {
		return property.replaceAll("[._-]", "").toLowerCase(Locale.ROOT);
	}

}
