package run.trakr.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A streaming-replication standby of the stack's PostgreSQL, from the same binaries: a
 * copy of the primary's data directory taken while it is stopped for a moment, started
 * with {@code standby.signal} and a replication slot on the primary, so it replays every
 * commit from then on and answers read-only queries (hot standby).
 */
public final class PostgresStandby implements AutoCloseable {

	static final String SLOT = "local_stack_standby";

	private final StackDirectory stack;

	private final int primaryPort;

	private final int port;

	private final Path dataDirectory;

	private Process process;

	private PostgresStandby(StackDirectory stack, int primaryPort, int port, Path dataDirectory) {
		this.stack = stack;
		this.primaryPort = primaryPort;
		this.port = port;
		this.dataDirectory = dataDirectory;
	}

	/**
	 * The standby shares the primary's options (its postmaster command line) but for its
	 * data directory and port.
	 */
	static PostgresStandby start(StackDirectory stack, PostgresServer primary) {
		query(primary.port(), "SELECT pg_create_physical_replication_slot('" + SLOT + "')");
		List<String> primaryCommand = primary.commandLine();
		Path source = primary.dataDirectory();
		Path target = stack.path().resolve("postgres-standby");
		primary.stop();
		try {
			copy(source, target);
		}
		finally {
			primary.restart();
		}
		int port = LocalStack.freePort();
		try {
			Files.writeString(target.resolve("standby.signal"), "");
			Files.writeString(target.resolve("postgresql.auto.conf"),
					"primary_conninfo = 'host=127.0.0.1 port=" + primary.port()
							+ " user=postgres application_name=local_stack_standby'\n" + "primary_slot_name = '" + SLOT
							+ "'\n" + "hot_standby = on\n"
							// A long export on the standby is not cancelled by the
							// replay of a vacuum of rows it still reads.
							+ "hot_standby_feedback = on\n",
					java.nio.file.StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<String> command = new ArrayList<>(primaryCommand);
		command.set(command.indexOf("-D") + 1, target.toString());
		command.set(command.indexOf("-p") + 1, Integer.toString(port));
		if ("root".equals(System.getProperty("user.name"))) {
			command.addAll(0, List.of("unshare", "-U"));
		}
		PostgresStandby standby = new PostgresStandby(stack, primary.port(), port, target);
		standby.launch(command);
		return standby;
	}

	public int port() {
		return this.port;
	}

	/** The JDBC URL of a database on the standby (read-only). */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/** The JDBC URL of the {@code trakr} database on the standby. */
	public String jdbcUrl() {
		return jdbcUrl(PostgresServer.DATABASE);
	}

	/** Stops applying WAL ({@code pg_wal_replay_pause()}): the standby falls behind. */
	public void pauseReplay() {
		query(this.port, "SELECT pg_wal_replay_pause()");
	}

	public void resumeReplay() {
		query(this.port, "SELECT pg_wal_replay_resume()");
	}

	/**
	 * Waits until the standby has received (not necessarily replayed) everything the
	 * primary had written: with replay paused, it then holds it unapplied.
	 */
	public void awaitReceived(Duration timeout) {
		String target = String.valueOf(query(this.primaryPort, "SELECT pg_current_wal_insert_lsn()"));
		LocalStack.await(timeout, "the standby to receive up to " + target, () -> Boolean.TRUE.equals(
				queryOrNull(this.port, "SELECT pg_wal_lsn_diff('" + target + "', pg_last_wal_receive_lsn()) <= 0")));
	}

	/** Waits until the standby has replayed everything the primary had written. */
	public void awaitCaughtUp(Duration timeout) {
		// Inserted, not written: with synchronous_commit off a commit can sit in the WAL
		// buffers for up to the WAL writer's delay.
		String target = String.valueOf(query(this.primaryPort, "SELECT pg_current_wal_insert_lsn()"));
		LocalStack.await(timeout, "the standby to replay up to " + target, () -> {
			Object behind = queryOrNull(this.port,
					"SELECT pg_wal_lsn_diff('" + target + "', pg_last_wal_replay_lsn()) <= 0");
			return Boolean.TRUE.equals(behind);
		});
	}

	/** Where replication stands, for a test's failure message. */
	public String describe() {
		return "primary at " + queryOrNull(this.primaryPort, "SELECT pg_current_wal_insert_lsn()")
				+ ", standby replayed " + queryOrNull(this.port, "SELECT pg_last_wal_replay_lsn()") + ", receiver "
				+ queryOrNull(this.port, "SELECT status || ' from ' || sender_port FROM pg_stat_wal_receiver");
	}

	@Override
	public void close() {
		if (this.process != null && this.process.isAlive()) {
			// SIGINT: PostgreSQL's fast shutdown (unshare ran it in its own place).
			LocalStack.signal("INT", List.of(this.process.pid()));
			try {
				this.process.waitFor(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process.destroyForcibly();
		}
		try {
			query(this.primaryPort, "SELECT pg_drop_replication_slot('" + SLOT + "')");
		}
		catch (RuntimeException ex) {
			// the primary is gone too
		}
		this.stack.forgetProcess("postgres-standby");
	}

	private void launch(List<String> command) {
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.stack.path().resolve("postgres-standby.log").toFile())
				.start();
			this.stack.recordProcess("postgres-standby", this.process.pid());
			LocalStack.await(Duration.ofSeconds(30), "the standby to accept connections", () -> {
				if (!this.process.isAlive()) {
					throw new IllegalStateException("the standby exited");
				}
				return Boolean.TRUE.equals(queryOrNull(this.port, "SELECT pg_is_in_recovery()"));
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (RuntimeException ex) {
			close();
			throw new IllegalStateException(ex.getMessage() + "; its log: " + log(), ex);
		}
	}

	private String log() {
		try {
			return Files.readString(this.stack.path().resolve("postgres-standby.log"));
		}
		catch (IOException ex) {
			return "(none)";
		}
	}

	private static void copy(Path source, Path target) {
		try (Stream<Path> paths = Files.walk(source)) {
			for (Path path : paths.toList()) {
				Path to = target.resolve(source.relativize(path).toString());
				String name = path.getFileName().toString();
				if (name.equals("postmaster.pid") || name.equals("postmaster.opts")) {
					continue;
				}
				// Attributes too: PostgreSQL refuses a data directory others may read.
				Files.copy(path, to, StandardCopyOption.COPY_ATTRIBUTES);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot copy the primary's data directory", ex);
		}
	}

	static Object query(int port, String sql) {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
				PostgresServer.USER, "");
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(sql)) {
			return rows.next() ? rows.getObject(1) : null;
		}
		catch (SQLException ex) {
			throw new IllegalStateException(sql + ": " + ex.getMessage(), ex);
		}
	}

	private static Object queryOrNull(int port, String sql) {
		try {
			return query(port, sql);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
