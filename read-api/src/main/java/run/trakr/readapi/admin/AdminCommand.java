package run.trakr.readapi.admin;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import run.trakr.readapi.auth.Plan;
import run.trakr.readapi.auth.ReadToken;
import run.trakr.readapi.ratelimit.SharedRevocations;
import run.trakr.schema.DatabaseSettings;

import static run.trakr.schema.jooq.Tables.API_TOKENS;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;

/**
 * {@code read-api admin ...}: manages organizations and read tokens directly in the
 * database. It needs the database's credentials, so only admins can run it. A token's
 * secret is printed once, at creation, and never stored.
 */
public final class AdminCommand {

	static final String USAGE = """
			Usage: read-api admin <command> [options]
			  org create --name NAME --plan starter|pro|scale
			  org set-plan --org ORG_ID --plan starter|pro|scale
			  org list
			  token create --org ORG_ID --name NAME [--created-by WHO] [--quiet]
			  token list --org ORG_ID
			  token revoke --org ORG_ID --token TOKEN_ID [--redis-url URL]
			Database: --db-url, --db-user, --db-password, or SPRING_DATASOURCE_URL,
			SPRING_DATASOURCE_USERNAME, SPRING_DATASOURCE_PASSWORD
			(default jdbc:postgresql://localhost:5432/trakr as postgres).
			Redis (revocation marks): --redis-url or SPRING_DATA_REDIS_URL (default redis://localhost:6379).""";

	private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;

	private final PrintStream out;

	private final Map<String, String> environment;

	public AdminCommand(PrintStream out, Map<String, String> environment) {
		this.out = out;
		this.environment = environment;
	}

	/**
	 * Runs one command; returns the process exit code (0 done, 1 failed, 2 bad usage).
	 */
	public int run(String... args) {
		Arguments arguments;
		try {
			arguments = Arguments.parse(args);
		}
		catch (IllegalArgumentException ex) {
			this.out.println(ex.getMessage());
			this.out.println(USAGE);
			return 2;
		}
		try (Connection connection = connect(arguments)) {
			DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
			return execute(db, arguments);
		}
		catch (IllegalArgumentException ex) {
			this.out.println(ex.getMessage());
			return 2;
		}
		catch (SQLException | RuntimeException ex) {
			this.out.println("Failed: " + ex.getMessage());
			return 1;
		}
	}

	private int execute(DSLContext db, Arguments args) {
		switch (args.command()) {
			case "org create" -> {
				UUID orgId = UUID.randomUUID();
				Plan plan = plan(args.required("plan"));
				db.insertInto(ORGANIZATIONS)
					.set(ORGANIZATIONS.ORG_ID, orgId)
					.set(ORGANIZATIONS.NAME, args.required("name"))
					.set(ORGANIZATIONS.PLAN, plan.stored())
					.execute();
				this.out.println("Created organization " + orgId + " (" + plan.stored() + ")");
			}
			case "org set-plan" -> {
				Plan plan = plan(args.required("plan"));
				int updated = db.update(ORGANIZATIONS)
					.set(ORGANIZATIONS.PLAN, plan.stored())
					.where(ORGANIZATIONS.ORG_ID.eq(uuid(args.required("org"))))
					.execute();
				return found(updated, "Organization now on " + plan.stored());
			}
			case "org list" -> db.selectFrom(ORGANIZATIONS)
				.orderBy(ORGANIZATIONS.CREATED_AT)
				.forEach(org -> this.out.printf("%s  %-8s %s%n", org.getOrgId(), org.getPlan(), org.getName()));
			case "token create" -> createToken(db, args);
			case "token list" -> db.selectFrom(API_TOKENS)
				.where(API_TOKENS.ORG_ID.eq(uuid(args.required("org"))))
				.orderBy(API_TOKENS.CREATED_AT)
				.forEach(token -> this.out.printf("%s  %s  %-24s created %s by %s  last used %s  %s%n",
						token.getTokenId(), token.getPrefix(), token.getName(), time(token.getCreatedAt()),
						token.getCreatedBy(), time(token.getLastUsedAt()),
						(token.getRevokedAt() != null) ? "revoked " + time(token.getRevokedAt()) : "active"));
			case "token revoke" -> {
				return revokeToken(db, args);
			}
			default -> throw new IllegalArgumentException("Unknown command: " + args.command());
		}
		return 0;
	}

	private void createToken(DSLContext db, Arguments args) {
		UUID orgId = uuid(args.required("org"));
		if (!db.fetchExists(ORGANIZATIONS, ORGANIZATIONS.ORG_ID.eq(orgId))) {
			throw new IllegalArgumentException("No organization " + orgId);
		}
		String secret = ReadToken.generate();
		UUID tokenId = UUID.randomUUID();
		db.insertInto(API_TOKENS)
			.set(API_TOKENS.ORG_ID, orgId)
			.set(API_TOKENS.TOKEN_ID, tokenId)
			.set(API_TOKENS.TOKEN_HASH, ReadToken.hash(secret))
			.set(API_TOKENS.PREFIX, ReadToken.displayPrefix(secret))
			.set(API_TOKENS.NAME, args.required("name"))
			.set(API_TOKENS.CREATED_BY, args.optional("created-by", System.getProperty("user.name", "admin")))
			.execute();
		if (args.flag("quiet")) {
			this.out.println(secret);
			return;
		}
		this.out.println("Created read token " + tokenId + " (" + ReadToken.displayPrefix(secret) + ")");
		this.out.println("Token, shown this once; store it in a secrets manager:");
		this.out.println(secret);
	}

	/**
	 * Revokes in the database and, before that commits, leaves a revocation mark in
	 * Redis, which every replica checks on every request: once this returns, the token is
	 * refused everywhere. Without Redis the database alone speaks, and replicas that
	 * cached the token may accept it for up to a minute more; the command says so.
	 */
	private int revokeToken(DSLContext db, Arguments args) {
		UUID orgId = uuid(args.required("org"));
		UUID tokenId = uuid(args.required("token"));
		String redisUrl = args.optional("redis-url",
				this.environment.getOrDefault("SPRING_DATA_REDIS_URL", "redis://localhost:6379"));
		return db.transactionResult(transaction -> {
			int revoked = transaction.dsl()
				.update(API_TOKENS)
				.set(API_TOKENS.REVOKED_AT, DSL.currentOffsetDateTime())
				.where(API_TOKENS.ORG_ID.eq(orgId))
				.and(API_TOKENS.TOKEN_ID.eq(tokenId))
				.and(API_TOKENS.REVOKED_AT.isNull())
				.execute();
			if (revoked == 0) {
				return found(0, "");
			}
			try {
				SharedRevocations.mark(redisUrl, tokenId, Duration.ofSeconds(2));
				this.out.println("Revoked; new requests with this token get 401 on every replica");
			}
			catch (RuntimeException ex) {
				this.out.println("Revoked in the database. Warning: Redis at " + redisUrl
						+ " did not answer, so replicas that cached this token may accept it for up to "
						+ SharedRevocations.MAX_TOKEN_CACHE_AGE.toSeconds() + " s more");
			}
			return 0;
		});
	}

	private int found(int rows, String message) {
		if (rows == 0) {
			this.out.println("Nothing changed: no such organization or token (or already revoked)");
			return 1;
		}
		this.out.println(message);
		return 0;
	}

	private Connection connect(Arguments args) throws SQLException {
		DatabaseSettings defaults = DatabaseSettings.fromEnvironment(this.environment);
		DatabaseSettings database = new DatabaseSettings(args.optional("db-url", defaults.url()),
				args.optional("db-user", defaults.user()), args.optional("db-password", defaults.password()));
		// The schema may not exist yet on a fresh database; migrating is idempotent.
		Flyway.configure()
			.dataSource(database.url(), database.user(), database.password())
			.locations("classpath:db/migration")
			.load()
			.migrate();
		return database.connect();
	}

	private static Plan plan(String value) {
		try {
			return Plan.of(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Unknown plan '" + value + "': use starter, pro or scale");
		}
	}

	private static UUID uuid(String value) {
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Not an id: " + value);
		}
	}

	private static String time(OffsetDateTime time) {
		return (time != null) ? TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC)) : "never";
	}

	/** {@code noun verb --key value ... --flag}. */
	private record Arguments(String command, Map<String, String> options) {

		static Arguments parse(String[] args) {
			if (args.length < 2) {
				throw new IllegalArgumentException("Missing command");
			}
			Map<String, String> options = new HashMap<>();
			List<String> rest = new ArrayList<>(List.of(args).subList(2, args.length));
			for (int i = 0; i < rest.size(); i++) {
				String arg = rest.get(i);
				if (!arg.startsWith("--")) {
					throw new IllegalArgumentException("Unexpected argument: " + arg);
				}
				boolean hasValue = i + 1 < rest.size() && !rest.get(i + 1).startsWith("--");
				options.put(arg.substring(2), hasValue ? rest.get(++i) : "true");
			}
			return new Arguments(args[0] + " " + args[1], options);
		}

		String required(String name) {
			String value = this.options.get(name);
			if (value == null || value.isBlank()) {
				throw new IllegalArgumentException("Missing --" + name);
			}
			return value;
		}

		String optional(String name, String otherwise) {
			return this.options.getOrDefault(name, otherwise);
		}

		boolean flag(String name) {
			return this.options.containsKey(name);
		}

	}

}
