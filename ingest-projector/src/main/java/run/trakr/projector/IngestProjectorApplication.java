package run.trakr.projector;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

import run.trakr.projector.offset.OffsetsCommand;
import run.trakr.projector.rollup.RollupCheckCommand;
import run.trakr.projector.system.CommandLines;

/**
 * Consumes ingest events from Kafka and folds them into the read models in PostgreSQL.
 * The command line ({@code bin/trakr-projector}): no command runs the projector, with
 * Spring properties as {@code --name=value}; {@code verify} checks the rollups and
 * {@code offsets} shows (and resets) the stored offsets.
 */
@SpringBootApplication
@Command(name = "trakr-projector", usageHelpAutoWidth = true,
		subcommands = { RollupCheckCommand.class, OffsetsCommand.class },
		description = { "Runs the ingest projector until stopped (configuration: Spring's environment variables, "
				+ "README \"Configuration\"), or one of the commands below." })
public class IngestProjectorApplication implements Callable<Integer> {

	/** Exit code meaning "the server is running": main returns and leaves it be. */
	private static final int RUNNING = -1;

	private static final Pattern SPRING_ARGUMENT = Pattern.compile("--[A-Za-z0-9._\\-\\[\\]]+=.*");

	@Option(names = { "-h", "--help" }, usageHelp = true, scope = ScopeType.INHERIT,
			description = "Show this help and exit")
	private boolean help;

	@Parameters(paramLabel = "--PROPERTY=VALUE", arity = "0..*",
			description = "Spring properties for the projector, e.g. --server.port=8082")
	private List<String> properties = new ArrayList<>();

	public static void main(String[] args) {
		// Spring's --name=value arguments reach call() as parameters, which it checks.
		CommandLine line = CommandLines.of(new IngestProjectorApplication())
			.setUnmatchedOptionsArePositionalParams(true);
		int exit = line.execute(args);
		if (exit != RUNNING) {
			System.exit(exit);
		}
	}

	@Override
	public Integer call() {
		for (String property : this.properties) {
			if (!SPRING_ARGUMENT.matcher(property).matches()) {
				throw new CommandLine.ParameterException(new CommandLine(this),
						"Not a command or a --property=value: " + property);
			}
		}
		SpringApplication.run(IngestProjectorApplication.class, this.properties.toArray(String[]::new));
		return RUNNING;
	}

}
