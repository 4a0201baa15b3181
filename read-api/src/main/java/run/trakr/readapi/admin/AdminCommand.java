package run.trakr.readapi.admin;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import run.trakr.readapi.auth.Plan;
import run.trakr.readapi.auth.ReadToken;
import run.trakr.readapi.ratelimit.SharedRedis;
import run.trakr.readapi.ratelimit.SharedRevocations;
import run.trakr.schema.DatabaseSettings;
import run.trakr.schema.retention.Horizons;

import static run.trakr.schema.jooq.Tables.API_TOKENS;
import static run.trakr.schema.jooq.Tables.ORGANIZATIONS;
import static run.trakr.schema.jooq.Tables.RETENTION_PLANS;

/**
 * {@code trakr-admin ...} ({@code read-api admin ...}): manages organizations and read
 * tokens directly in the database. It needs the database's credentials, so only admins
 * can run it. A token's secret is printed once, at creation, and never stored. Every
 * argument is checked before the database is touched; answers go to stdout (just the
 * token with {@code --quiet}), errors and warnings to stderr.
 */
@Command(name = "trakr-admin", usageHelpAutoWidth = true,
		description = "Organizations, plans and read tokens, straight in the database.",
		footer = { "", "Database: --db-url, --db-user, --db-password, or SPRING_DATASOURCE_URL, "
				+ "SPRING_DATASOURCE_USERNAME, SPRING_DATASOURCE_PASSWORD (default "
				+ "jdbc:postgresql://localhost:5432/trakr as postgres). Redis (revocation marks): --redis-url or "
				+ "SPRING_DATA_REDIS_URL (default redis://localhost:6379); a cluster: "
				+ "SPRING_DATA_REDIS_CLUSTER_NODES; sentinels: SPRING_DATA_REDIS_SENTINEL_MASTER and "
				+ "SPRING_DATA_REDIS_SENTINEL_NODES; SPRING_DATA_REDIS_PASSWORD for either." })
public final class AdminCommand {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;

	/** The longest horizon the schema allows (V10). */
	static final int MAX_RETENTION_DAYS = 1100;

	@Option(names = { "-h", "--help" }, usageHelp = true, scope = ScopeType.INHERIT,
			description = "Show this help and exit")
	private boolean help;

	private final PrintStream out;

	private final PrintStream err;

	private final Map<String, String> environment;

	public AdminCommand(PrintStream out, PrintStream err, Map<String, String> environment) {
		this.out = out;
		this.err = err;
		this.environment = environment;
	}

	/**
	 * Runs one command; returns the process exit code (0 done, 1 failed, 2 bad usage).
	 */
	public int run(String... args) {
		CommandLine line = new CommandLine(this).addSubcommand(new Organizations())
			.addSubcommand(new Tokens())
			.addSubcommand(new Retention());
		line.setOut(new PrintWriter(this.out, true));
		line.setErr(new PrintWriter(this.err, true));
		line.setExecutionExceptionHandler((ex, command, parsed) -> {
			this.err.println("Failed: " + ex.getMessage());
			return 1;
		});
		return line.execute(args);
	}

	/** Where the database is: options first, then Spring's variables. */
	static final class Database {

		@Option(names = "--db-url", paramLabel = "JDBC_URL", description = "default: SPRING_DATASOURCE_URL")
		String url;

		@Option(names = "--db-user", paramLabel = "USER", description = "default: SPRING_DATASOURCE_USERNAME")
		String user;

		@Option(names = "--db-password", paramLabel = "PASSWORD", description = "default: SPRING_DATASOURCE_PASSWORD")
		String password;

	}

	@Command(name = "org", description = "Organizations and their plans.", usageHelpAutoWidth = true)
	final class Organizations {

		@Command(name = "create", description = "Creates an organization and prints its id.")
		int create(@Option(names = "--name", required = true, paramLabel = "NAME") String name,
				@Option(names = "--plan", required = true, paramLabel = "PLAN", converter = PlanConverter.class,
						description = "starter, pro or scale") Plan plan,
				@Mixin Database database) throws SQLException {
			return withDatabase(database, db -> {
				UUID orgId = UUID.randomUUID();
				db.insertInto(ORGANIZATIONS)
					.set(ORGANIZATIONS.ORG_ID, orgId)
					.set(ORGANIZATIONS.NAME, name)
					.set(ORGANIZATIONS.PLAN, plan.stored())
					.execute();
				AdminCommand.this.out.println("Created organization " + orgId + " (" + plan.stored() + ")");
				return 0;
			});
		}

		@Command(name = "set-plan", description = "Moves an organization to another plan.")
		int setPlan(@Option(names = "--org", required = true, paramLabel = "ORG_ID") UUID org,
				@Option(names = "--plan", required = true, paramLabel = "PLAN", converter = PlanConverter.class,
						description = "starter, pro or scale") Plan plan,
				@Mixin Database database) throws SQLException {
			return withDatabase(database,
					db -> found(db.update(ORGANIZATIONS)
						.set(ORGANIZATIONS.PLAN, plan.stored())
						.where(ORGANIZATIONS.ORG_ID.eq(org))
						.execute(), "Organization now on " + plan.stored()));
		}

		@Command(name = "set-retention",
				description = "Sets how many days of raw data (runs, calls, tool uses, alerts, 5-minute rollups) "
						+ "an organization keeps, overriding its plan's default; applies to runs that start from now "
						+ "on (docs/retention.md).")
		int setRetention(@Option(names = "--org", required = true, paramLabel = "ORG_ID") UUID org,
				@Option(names = "--days", paramLabel = "DAYS", description = "1 to " + MAX_RETENTION_DAYS) Integer days,
				@Option(names = "--plan-default", description = "back to the plan's default") boolean planDefault,
				@Mixin Database database) throws SQLException {
			if ((days == null) == !planDefault) {
				AdminCommand.this.err.println("Give either --days or --plan-default");
				return 2;
			}
			if (days != null && (days < 1 || days > MAX_RETENTION_DAYS)) {
				AdminCommand.this.err.println("--days must be 1 to " + MAX_RETENTION_DAYS);
				return 2;
			}
			return withDatabase(database, db -> {
				int changed = db.update(ORGANIZATIONS)
					.set(ORGANIZATIONS.RETENTION_DAYS, days)
					.where(ORGANIZATIONS.ORG_ID.eq(org))
					.execute();
				if (days != null && changed > 0) {
					// The weeks its new runs expire into, before the projector needs
					// them.
					db.execute("SELECT create_expiry_partitions(current_date, current_date + ? + 15)", days);
				}
				return found(changed, "Organization now keeps raw data for "
						+ ((days != null) ? days + " days" : "its plan's default"));
			});
		}

		@Command(name = "list", description = "Lists the organizations: id, plan, raw days kept, name.")
		int list(@Mixin Database database) throws SQLException {
			return withDatabase(database, db -> {
				db.select(ORGANIZATIONS.ORG_ID, ORGANIZATIONS.PLAN, ORGANIZATIONS.RETENTION_DAYS,
						RETENTION_PLANS.RAW_DAYS, ORGANIZATIONS.NAME)
					.from(Horizons.ORGS_WITH_PLANS)
					.orderBy(ORGANIZATIONS.CREATED_AT)
					.forEach(o -> AdminCommand.this.out.printf("%s  %-8s %-13s %s%n", o.value1(), o.value2(),
							(o.value3() != null) ? o.value3() + "d (own)" : o.value4() + "d", o.value5()));
				return 0;
			});
		}

	}

	@Command(name = "retention", description = "Each plan's default retention.", usageHelpAutoWidth = true)
	final class Retention {

		@Command(name = "list", description = "Lists the plans: raw days kept, hour and day rollup days kept.")
		int list(@Mixin Database database) throws SQLException {
			return withDatabase(database, db -> {
				db.selectFrom(RETENTION_PLANS)
					.orderBy(RETENTION_PLANS.RAW_DAYS)
					.forEach(p -> AdminCommand.this.out.printf("%-8s raw %dd, rollups %dd%n", p.getPlan(),
							p.getRawDays(), p.getRollupDays()));
				return 0;
			});
		}

		@Command(name = "set-plan",
				description = "Sets a plan's default days of raw data and of hour and day rollups; applies to runs "
						+ "that start from now on.")
		int setPlan(
				@Option(names = "--plan", required = true, paramLabel = "PLAN", converter = PlanConverter.class,
						description = "starter, pro or scale") Plan plan,
				@Option(names = "--raw-days", paramLabel = "DAYS") Integer rawDays,
				@Option(names = "--rollup-days", paramLabel = "DAYS") Integer rollupDays, @Mixin Database database)
				throws SQLException {
			for (Integer days : new Integer[] { rawDays, rollupDays }) {
				if (days != null && (days < 1 || days > MAX_RETENTION_DAYS)) {
					AdminCommand.this.err.println("Days must be 1 to " + MAX_RETENTION_DAYS);
					return 2;
				}
			}
			if (rawDays == null && rollupDays == null) {
				AdminCommand.this.err.println("Give --raw-days, --rollup-days or both");
				return 2;
			}
			return withDatabase(database, db -> {
				var update = db.update(RETENTION_PLANS)
					.set(RETENTION_PLANS.RAW_DAYS, DSL.coalesce(DSL.val(rawDays), RETENTION_PLANS.RAW_DAYS))
					.set(RETENTION_PLANS.ROLLUP_DAYS, DSL.coalesce(DSL.val(rollupDays), RETENTION_PLANS.ROLLUP_DAYS))
					.where(RETENTION_PLANS.PLAN.eq(plan.stored()));
				int changed = update.execute();
				db.execute("SELECT create_expiry_partitions(current_date, current_date + max(raw_days) + 15) "
						+ "FROM retention_plans");
				return found(changed, "Plan " + plan.stored() + " updated");
			});
		}

	}

	@Command(name = "token", description = "Read tokens (tk_read_...).", usageHelpAutoWidth = true)
	final class Tokens {

		@Command(name = "create", description = "Creates a read token and prints its secret, this once.")
		int create(@Option(names = "--org", required = true, paramLabel = "ORG_ID") UUID org,
				@Option(names = "--name", required = true, paramLabel = "NAME") String name,
				@Option(names = "--created-by", paramLabel = "WHO",
						description = "default: this user") String createdBy,
				@Option(names = "--quiet", description = "print only the secret, for scripts") boolean quiet,
				@Mixin Database database) throws SQLException {
			return withDatabase(database, db -> createToken(db, org, name, createdBy, quiet));
		}

		@Command(name = "list",
				description = "Lists an organization's tokens: id, prefix, name, created, last used, " + "revoked.")
		int list(@Option(names = "--org", required = true, paramLabel = "ORG_ID") UUID org, @Mixin Database database)
				throws SQLException {
			return withDatabase(database, db -> {
				db.selectFrom(API_TOKENS)
					.where(API_TOKENS.ORG_ID.eq(org))
					.orderBy(API_TOKENS.CREATED_AT)
					.forEach(token -> AdminCommand.this.out.printf("%s  %s  %-24s created %s by %s  last used %s  %s%n",
							token.getTokenId(), token.getPrefix(), token.getName(), time(token.getCreatedAt()),
							token.getCreatedBy(), time(token.getLastUsedAt()),
							(token.getRevokedAt() != null) ? "revoked " + time(token.getRevokedAt()) : "active"));
				return 0;
			});
		}

		@Command(name = "revoke", description = "Revokes a token on every replica.")
		int revoke(@Option(names = "--org", required = true, paramLabel = "ORG_ID") UUID org,
				@Option(names = "--token", required = true, paramLabel = "TOKEN_ID") UUID token,
				@Option(names = "--redis-url", paramLabel = "URL",
						description = "default: SPRING_DATA_REDIS_URL") String redisUrl,
				@Mixin Database database) throws SQLException {
			SharedRedis.Endpoint redis = (redisUrl != null) ? SharedRedis.Endpoint.standalone(redisUrl)
					: SharedRedis.Endpoint.fromEnvironment(AdminCommand.this.environment::get,
							"redis://localhost:6379");
			return withDatabase(database, db -> revokeToken(db, org, token, redis));
		}

	}

	private int createToken(DSLContext db, UUID orgId, String name, String createdBy, boolean quiet) {
		if (!db.fetchExists(ORGANIZATIONS, ORGANIZATIONS.ORG_ID.eq(orgId))) {
			this.err.println("No organization " + orgId);
			return 1;
		}
		String secret = ReadToken.generate();
		UUID tokenId = UUID.randomUUID();
		db.insertInto(API_TOKENS)
			.set(API_TOKENS.ORG_ID, orgId)
			.set(API_TOKENS.TOKEN_ID, tokenId)
			.set(API_TOKENS.TOKEN_HASH, ReadToken.hash(secret))
			.set(API_TOKENS.PREFIX, ReadToken.displayPrefix(secret))
			.set(API_TOKENS.NAME, name)
			.set(API_TOKENS.CREATED_BY, (createdBy != null) ? createdBy : System.getProperty("user.name", "admin"))
			.execute();
		if (quiet) {
			this.out.println(secret);
			return 0;
		}
		this.out.println("Created read token " + tokenId + " (" + ReadToken.displayPrefix(secret) + ")");
		this.out.println("Token, shown this once; store it in a secrets manager:");
		this.out.println(secret);
		return 0;
	}

	/**
	 * Revokes in the database and, before that commits, leaves a revocation mark in
	 * Redis, which every replica checks on every request: once this returns, the token is
	 * refused everywhere. Without Redis the database alone speaks, and replicas that
	 * cached the token may accept it for up to a minute more; the command says so.
	 */
	private int revokeToken(DSLContext db, UUID orgId, UUID tokenId, SharedRedis.Endpoint redis) {
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
				SharedRevocations.mark(redis, tokenId, Duration.ofSeconds(2));
				this.out.println("Revoked; new requests with this token get 401 on every replica");
			}
			catch (RuntimeException ex) {
				this.err.println("Revoked in the database. Warning: Redis (" + redis.describe() + ")"
						+ " did not answer, so replicas that cached this token may accept it for up to "
						+ SharedRevocations.MAX_TOKEN_CACHE_AGE.toSeconds() + " s more");
			}
			return 0;
		});
	}

	private int found(int rows, String message) {
		if (rows == 0) {
			this.err.println("Nothing changed: no such organization or token (or already revoked)");
			return 1;
		}
		this.out.println(message);
		return 0;
	}

	/** Connects (migrating a fresh database first: idempotent) and runs the command. */
	private int withDatabase(Database options, Function<DSLContext, Integer> command) throws SQLException {
		DatabaseSettings defaults = DatabaseSettings.fromEnvironment(this.environment);
		DatabaseSettings database = new DatabaseSettings((options.url != null) ? options.url : defaults.url(),
				(options.user != null) ? options.user : defaults.user(),
				(options.password != null) ? options.password : defaults.password());
		Flyway.configure()
			.dataSource(database.url(), database.user(), database.password())
			.locations("classpath:db/migration")
			.load()
			.migrate();
		try (Connection connection = database.connect()) {
			return command.apply(DSL.using(connection, SQLDialect.POSTGRES));
		}
	}

	private static String time(OffsetDateTime time) {
		return (time != null) ? TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC)) : "never";
	}

	/** {@code starter}, {@code pro} or {@code scale}, in any case. */
	static final class PlanConverter implements CommandLine.ITypeConverter<Plan> {

		@Override
		public Plan convert(String value) {
			try {
				return Plan.of(value);
			}
			catch (IllegalArgumentException ex) {
				throw new CommandLine.TypeConversionException(
						"'" + value + "' is not a plan: use starter, pro or scale");
			}
		}

	}

}
