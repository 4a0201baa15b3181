package run.trakr.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the README claims that can go stale without anyone noticing: the Actuator paths,
 * metric names, command-line options and environment variables it names, read from the
 * README itself (not a copy).
 */
final class ReadmeClaims {

	private static final Pattern ACTUATOR_PATH = Pattern.compile("/actuator/[a-z]+");

	/** Our own meters and Spring's request timer, as Actuator names them. */
	private static final Pattern METRIC = Pattern
		.compile("`((?:trakr\\.(?:projector|ratelimit|auth)|http\\.server)" + "(?:\\.[a-z]+)+)");

	private static final Pattern COMMAND = Pattern.compile("bin/([a-z-]+)((?: [a-z][a-z-]*)*)([^\\n`]*)");

	private static final Pattern OPTION = Pattern.compile("--([a-z][a-z-]*)");

	private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");

	private static final Pattern CODE_BLOCK = Pattern.compile("(?s)```[a-z]*\\n(.*?)```");

	private static final Pattern VARIABLE = Pattern.compile("\\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|PORT)\\b");

	private final String text;

	ReadmeClaims(Path readme) {
		try {
			this.text = Files.readString(readme);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Set<String> actuatorPaths() {
		return all(ACTUATOR_PATH, 0);
	}

	Set<String> metricNames() {
		return all(METRIC, 1);
	}

	/**
	 * Each command the README shows in code (blocks and spans, comments cut), with the
	 * subcommand words and options it uses.
	 */
	Map<String, Set<String>> commandWords() {
		Map<String, Set<String>> commands = new TreeMap<>();
		StringBuilder code = new StringBuilder();
		Matcher block = CODE_BLOCK.matcher(this.text);
		while (block.find()) {
			code.append(block.group(1)).append('\n');
		}
		Matcher span = CODE_SPAN.matcher(CODE_BLOCK.matcher(this.text).replaceAll(""));
		while (span.find()) {
			code.append(span.group(1)).append('\n');
		}
		String uncommented = code.toString().replaceAll("(?m)\\s#.*$", "");
		Matcher matcher = COMMAND.matcher(uncommented);
		while (matcher.find()) {
			Set<String> words = commands.computeIfAbsent(matcher.group(1), (name) -> new TreeSet<>());
			String subcommand = matcher.group(2).strip();
			if (!subcommand.isEmpty()) {
				words.add(subcommand);
			}
			Matcher option = OPTION.matcher(matcher.group(3));
			while (option.find()) {
				words.add("--" + option.group(1));
			}
		}
		return commands;
	}

	/** Environment variables named in code spans (`X_Y`, `$X_Y`, `X_Y=...`). */
	Set<String> environmentVariables() {
		Set<String> variables = new TreeSet<>();
		Matcher span = CODE_SPAN.matcher(this.text);
		while (span.find()) {
			Matcher variable = VARIABLE.matcher(span.group(1));
			while (variable.find()) {
				variables.add(variable.group(1));
			}
		}
		return variables;
	}

	private Set<String> all(Pattern pattern, int group) {
		Set<String> found = new TreeSet<>();
		Matcher matcher = pattern.matcher(this.text);
		while (matcher.find()) {
			found.add(matcher.group(group));
		}
		return found;
	}

	/** Every file git would show of the repository, as text, but the README's. */
	static List<String> sources(Path repository, List<String> endings) {
		List<String> texts = new ArrayList<>();
		try (var files = Files.walk(repository)) {
			files.filter(Files::isRegularFile)
				.filter((file) -> endings.stream().anyMatch((ending) -> file.toString().endsWith(ending)))
				.filter((file) -> !file.toString().contains("/target/") && !file.toString().contains("/.git/")
						&& !file.getFileName().toString().endsWith(".md"))
				.forEach((file) -> {
					try {
						texts.add(Files.readString(file));
					}
					catch (IOException ex) {
						// not text: skipped
					}
				});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return texts;
	}

}
