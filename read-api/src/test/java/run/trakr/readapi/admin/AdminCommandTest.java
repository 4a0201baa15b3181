package run.trakr.readapi.admin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin command line checks every argument before it touches the database: the
 * database here is a port where nothing listens, so any attempt to connect fails the
 * command with exit code 1 instead of 0 or 2.
 */
class AdminCommandTest {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private Map<String, String> environment;

	@BeforeEach
	void nothingListens() throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		this.environment = Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:" + port + "/trakr",
				"SPRING_DATA_REDIS_URL", "redis://127.0.0.1:" + port);
	}

	@Test
	void helpPrintsTheUsageOfEveryCommandAndExitsZero() {
		assertThat(run("--help")).isZero();
		assertThat(out()).contains("Usage: trakr-admin", "org", "token", "SPRING_DATASOURCE_URL");
		assertThat(err()).isEmpty();
		this.out.reset();
		assertThat(run("token", "revoke", "--help")).isZero();
		assertThat(out()).contains("Usage: trakr-admin token revoke", "--org=ORG_ID", "--token=TOKEN_ID",
				"--redis-url=URL", "--db-url=JDBC_URL");
	}

	@Test
	void anUnknownCommandIsRefusedBeforeAnyConnection() {
		assertThat(run("org", "lst")).isEqualTo(2);
		assertThat(firstLine(err())).contains("lst");
		assertThat(err()).contains("Did you mean: org list?").doesNotContain("Exception", "\tat ");
		assertThat(out()).isEmpty();
	}

	@Test
	void badValuesAreRefusedBeforeAnyConnection() {
		assertThat(run("org", "create", "--name", "Acme", "--plan", "gold")).isEqualTo(2);
		assertThat(firstLine(err())).contains("'gold' is not a plan: use starter, pro or scale");
		this.err.reset();
		assertThat(run("token", "revoke", "--org", "acme", "--token", "x")).isEqualTo(2);
		assertThat(firstLine(err())).contains("--org", "acme");
		this.err.reset();
		assertThat(run("token", "create", "--org")).isEqualTo(2);
		assertThat(firstLine(err())).contains("--org");
		assertThat(err()).doesNotContain("Exception", "\tat ");
	}

	@Test
	void aGoodCommandReachesTheDatabaseAndSaysWhyItFailed() {
		assertThat(run("org", "list")).isEqualTo(1);
		assertThat(err()).startsWith("Failed: ").doesNotContain("\tat ");
		assertThat(out()).isEmpty();
	}

	private int run(String... args) {
		return new AdminCommand(new PrintStream(this.out, true, StandardCharsets.UTF_8),
				new PrintStream(this.err, true, StandardCharsets.UTF_8), this.environment)
			.run(args);
	}

	private String out() {
		return this.out.toString(StandardCharsets.UTF_8);
	}

	private String err() {
		return this.err.toString(StandardCharsets.UTF_8);
	}

	private static String firstLine(String text) {
		return text.lines().findFirst().orElse("");
	}

}
