package run.trakr.projector.rollup;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import run.trakr.projector.system.CommandLines;
import run.trakr.schema.DatabaseSettings;

/**
 * {@code trakr-projector verify [--org ID] [--from T] [--to T] [--repair]}: recomputes
 * the rollups of the scope from the run rows and prints each difference; with
 * {@code --repair}, rewrites the buckets that differ and renews every bucket revision
 * (read-api caches recompute). Safe beside a live projector: the check reads one snapshot
 * without locks, and a repair holds the projection back only while it rewrites. Progress
 * goes to stderr. Exit code 0 when clean (or repaired), 1 when differences remain, 2 on
 * bad usage.
 */
@Command(name = "verify", usageHelpAutoWidth = true, sortOptions = false,
		description = { "Recomputes the rollups from the run rows and prints each difference.",
				"Exit code 0 when they agree (or were repaired), 1 when differences remain.",
				"Runs beside a live projector. Database: SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME, "
						+ "SPRING_DATASOURCE_PASSWORD." })
public final class RollupCheckCommand implements Callable<Integer> {

	@Option(names = "--org", paramLabel = "ORG_ID", description = "Only this org (default: every org)")
	private UUID org;

	@Option(names = "--from", paramLabel = "INSTANT",
			description = "Only runs started from this day on (e.g. 2026-11-01T00:00:00Z; widened to its UTC day)")
	private Instant from;

	@Option(names = "--to", paramLabel = "INSTANT",
			description = "Only runs started before this day ends (widened to the end of its UTC day)")
	private Instant to;

	@Option(names = "--repair", description = "Rewrite the buckets that differ, and renew every bucket revision "
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
	public Integer call() throws SQLException {
		RollupScope scope = RollupScope.of(this.org, this.from, this.to);
		try (Connection connection = DatabaseSettings.fromEnvironment(this.environment).connect()) {
			var db = DSL.using(connection, SQLDialect.POSTGRES);
			System.err.println("verify: " + scope);
			List<RollupCheck.Difference> differences = RollupCheck.verify(db, scope, (done, total) -> System.err
				.printf("verify: %,d of %,d runs (%d%%)%n", done, total, 100 * done / Math.max(1, total)));
			differences.forEach(d -> this.out
				.println("DIFF " + d.bucket() + "\n  stored:     " + d.stored() + "\n  recomputed: " + d.recomputed()));
			this.out.println(differences.size() + " rollup bucket(s) differ from the run rows");
			if (!this.repair) {
				return differences.isEmpty() ? 0 : 1;
			}
			if (!differences.isEmpty()) {
				this.out.println("Repaired: rewrote " + RollupRepair.repair(db, differences) + " rollup bucket(s)");
			}
			// Even when the rollups are right, a replica's cache of them might not be (a
			// row
			// edited by hand without a new revision): every revision moves, so every
			// replica
			// recomputes what it cached.
			this.out.println("Revisions renewed: " + RollupRepair.renewRevisions(db)
					+ " bucket revisions, so every read-api replica recomputes its cached aggregates");
			return RollupCheck.verify(db, scope, RollupCheck.Progress.NONE).isEmpty() ? 0 : 1;
		}
	}

}
