package run.trakr.projector.rollup;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import run.trakr.projector.system.CommandLines;
import run.trakr.schema.DatabaseSettings;

/**
 * {@code trakr-projector verify [--repair]}: recomputes the rollups from the run rows and
 * prints each difference; with {@code --repair}, rewrites them, and in any case renews
 * every bucket revision (read-api caches recompute). Exit code 0 when clean (or
 * repaired), 1 when differences remain, 2 on bad usage.
 */
@Command(name = "verify", usageHelpAutoWidth = true,
		description = { "Recomputes the rollups from the run rows and prints each difference.",
				"Exit code 0 when they agree (or were repaired), 1 when differences remain.",
				"Database: SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME, SPRING_DATASOURCE_PASSWORD." })
public final class RollupCheckCommand implements Callable<Integer> {

	@Option(names = "--repair", description = "Rewrite the rollups that differ, and renew every bucket revision "
			+ "(every read-api replica recomputes what it cached)")
	private boolean repair;

	private final PrintStream out;

	private final Map<String, String> environment;

	public RollupCheckCommand() {
		this(System.out, System.getenv());
	}

	public RollupCheckCommand(PrintStream out, Map<String, String> environment) {
		this.out = out;
		this.environment = environment;
	}

	/** Parses the arguments as the command line does and runs; returns the exit code. */
	public int run(String... args) {
		return CommandLines.of(new RollupCheckCommand(this.out, this.environment)).execute(args);
	}

	@Override
	public Integer call() {
		try (Connection connection = DatabaseSettings.fromEnvironment(this.environment).connect()) {
			var db = DSL.using(connection, SQLDialect.POSTGRES);
			List<RollupCheck.Difference> differences = RollupCheck.verify(db);
			differences.forEach(d -> this.out
				.println("DIFF " + d.bucket() + "\n  stored:     " + d.stored() + "\n  recomputed: " + d.recomputed()));
			this.out.println(differences.size() + " rollup bucket(s) differ from the run rows");
			if (this.repair && !differences.isEmpty()) {
				this.out.println("Repaired: rewrote " + RollupCheck.repair(db) + " rollup rows");
				return RollupCheck.verify(db).isEmpty() ? 0 : 1;
			}
			if (this.repair) {
				// The rollups are right; a replica's cache of them might not be (a row
				// edited by hand without a new revision): every revision moves, so every
				// replica recomputes what it cached.
				this.out.println("Nothing to rewrite; renewed " + RollupCheck.renewRevisions(db)
						+ " bucket revisions, so every read-api replica recomputes its cached aggregates");
			}
			return differences.isEmpty() ? 0 : 1;
		}
		catch (SQLException | RuntimeException ex) {
			System.err.println("Failed: " + ex.getMessage());
			return 1;
		}
	}

}
