package run.trakr.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The shell snippets of the public API document ({@code dashboard-api.md}), cut out of
 * the document itself at test time so they run exactly as users copy them.
 */
final class DocRecipes {

	private final List<String> lines;

	DocRecipes(Path document) throws IOException {
		this.lines = Files.readAllLines(document);
	}

	/**
	 * The "Example" curl command (its export lines set the production URL, so they are
	 * left out).
	 */
	String curlExample() {
		return from(line -> line.startsWith("curl -sS \"$TRAKR_APP_URL/api/runs?limit=10"), this::continued);
	}

	/** The body of the GitHub Actions step {@code run: |}, unindented. */
	String scheduledExport() {
		int start = indexOf(line -> line.strip().equals("run: |")) + 1;
		String indent = this.lines.get(start)
			.substring(0, this.lines.get(start).indexOf(this.lines.get(start).strip()));
		List<String> body = new ArrayList<>();
		for (int i = start; i < this.lines.size() && this.lines.get(i).startsWith(indent); i++) {
			body.add(this.lines.get(i).substring(indent.length()));
		}
		return String.join("\n", body) + "\n";
	}

	/** The crontab line's command: the line without its five schedule fields. */
	String cronCommand() {
		String line = this.lines.get(indexOf(l -> l.startsWith("0 6 * * * ")));
		return line.substring("0 6 * * * ".length()) + "\n";
	}

	/** The "Post to Slack" script, from its "# Requires" comment to the POST. */
	String slackScript() {
		int start = indexOf(line -> line.startsWith("# Requires: TRAKR_APP_URL"));
		int end = indexOf(line -> line.strip().startsWith("-d \"{\\\"text\\\""));
		return String.join("\n", this.lines.subList(start, end + 1)) + "\n";
	}

	private String from(Predicate<String> first, IntPredicate more) {
		int start = indexOf(first);
		int end = start;
		while (more.test(end)) {
			end++;
		}
		return String.join("\n", this.lines.subList(start, end + 1)) + "\n";
	}

	private boolean continued(int index) {
		return this.lines.get(index).endsWith("\\");
	}

	private int indexOf(Predicate<String> predicate) {
		for (int i = 0; i < this.lines.size(); i++) {
			if (predicate.test(this.lines.get(i))) {
				return i;
			}
		}
		throw new IllegalStateException("The API document no longer has this snippet");
	}

	/**
	 * Runs a snippet with bash; returns its standard output, failing on a non-zero exit.
	 */
	static String run(String script, Map<String, String> environment) throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script);
		builder.environment().putAll(environment);
		Process process = builder.start();
		byte[] out = process.getInputStream().readAllBytes();
		String err = new String(process.getErrorStream().readAllBytes());
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new AssertionError("Snippet failed (" + process.exitValue() + "):\n" + script + "\n" + err);
		}
		return new String(out);
	}

}
