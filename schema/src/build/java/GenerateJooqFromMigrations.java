import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Target;

/**
 * Generates the jOOQ classes from a real PostgreSQL migrated by Flyway, so that they
 * describe exactly what the migrations create. The schema module's build runs this with
 * the Java source launcher; it skips the work when the migrations have not changed.
 *
 * <p>
 * Arguments: migrations directory, target directory, package name.
 */
public class GenerateJooqFromMigrations {

	public static void main(String[] args) throws Exception {
		Path migrations = Path.of(args[0]);
		Path target = Path.of(args[1]);
		String packageName = args[2];
		Path stamp = target.resolve("migrations.sha256");
		String fingerprint = fingerprint(migrations, packageName);
		if (Files.exists(stamp) && Files.readString(stamp).equals(fingerprint)) {
			System.out.println("jOOQ classes are up to date with " + migrations);
			return;
		}
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
			Flyway.configure()
				.dataSource(postgres.getPostgresDatabase())
				.locations("filesystem:" + migrations)
				.load()
				.migrate();
			try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
				GenerationTool generator = new GenerationTool();
				generator.setConnection(connection);
				generator.run(new Configuration().withGenerator(new Generator()
					.withDatabase(new Database().withName("org.jooq.meta.postgres.PostgresDatabase")
						.withInputSchema("public")
						.withOutputSchemaToDefault(true)
						// Partitions are reached through their parent table.
						.withExcludes("flyway_schema_history|.*_expire_(never|\\d{8})|create_expiry_partitions"))
					.withGenerate(new Generate().withJavaTimeTypes(true).withPojos(false).withDaos(false))
					.withTarget(new Target().withPackageName(packageName).withDirectory(target.toString()))));
			}
		}
		Files.writeString(stamp, fingerprint);
	}

	private static String fingerprint(Path migrations, String packageName) throws Exception {
		MessageDigest digest = MessageDigest.getInstance("SHA-256");
		digest.update(packageName.getBytes());
		List<Path> files;
		try (Stream<Path> list = Files.list(migrations)) {
			files = list.sorted().toList();
		}
		for (Path file : files) {
			digest.update(file.getFileName().toString().getBytes());
			digest.update(read(file));
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	private static byte[] read(Path file) throws IOException {
		return Files.readAllBytes(file);
	}

}
