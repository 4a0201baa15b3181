package run.trakr.readapitest.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import run.trakr.localstack.LocalStack;
import run.trakr.readapi.admin.AdminCommand;

import static org.assertj.core.api.Assertions.assertThat;

/** Test fixtures made through the admin command line, as an admin would. */
public final class Admin {

	private static final Pattern ORG_ID = Pattern.compile("Created organization ([0-9a-f-]{36})");

	private final LocalStack stack;

	/** Where Redis is, in Spring Boot's variables. */
	private final Map<String, String> redis;

	public Admin(LocalStack stack) {
		this(stack, Map.of("SPRING_DATA_REDIS_URL", stack.redisUrl()));
	}

	/** An admin whose Redis is another form (a cluster, sentinels): Boot's variables. */
	public Admin(LocalStack stack, Map<String, String> redis) {
		this.stack = stack;
		this.redis = Map.copyOf(redis);
	}

	/** An org and a token for it. */
	public record OrgToken(UUID orgId, String token, UUID tokenId) {
	}

	public String run(String... args) {
		// Answers and warnings in one stream, as a terminal shows them.
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PrintStream terminal = new PrintStream(out, true, StandardCharsets.UTF_8);
		int exit = new AdminCommand(terminal, terminal, environment()).run(args);
		String output = out.toString(StandardCharsets.UTF_8);
		assertThat(exit).as(output).isZero();
		return output;
	}

	public UUID createOrg(String plan) {
		Matcher matcher = ORG_ID.matcher(run("org", "create", "--name", "Org " + plan, "--plan", plan));
		assertThat(matcher.find()).isTrue();
		return UUID.fromString(matcher.group(1));
	}

	public OrgToken createOrgWithToken(String plan) {
		UUID org = createOrg(plan);
		String token = run("token", "create", "--org", org.toString(), "--name", "test token", "--quiet").trim();
		String listing = run("token", "list", "--org", org.toString());
		UUID tokenId = UUID.fromString(listing.substring(0, 36));
		return new OrgToken(org, token, tokenId);
	}

	public void revoke(OrgToken token) {
		run("token", "revoke", "--org", token.orgId().toString(), "--token", token.tokenId().toString());
	}

	private Map<String, String> environment() {
		Map<String, String> environment = new java.util.HashMap<>(this.redis);
		environment.putAll(Map.of("SPRING_DATASOURCE_URL", this.stack.jdbcUrl(), "SPRING_DATASOURCE_USERNAME",
				this.stack.postgresUser(), "SPRING_DATASOURCE_PASSWORD", this.stack.postgresPassword()));
		return environment;
	}

}
