package run.trakr.projector.system;

import picocli.CommandLine;

/** The projector's command lines: a failure is one line on stderr and exit code 1. */
public final class CommandLines {

	private CommandLines() {
	}

	/** A command line for the command, failing as described. */
	public static CommandLine of(Object command) {
		return new CommandLine(command).setExecutionExceptionHandler((ex, line, parsed) -> {
			line.getErr().println("Failed: " + ex.getMessage());
			return 1;
		});
	}

}
