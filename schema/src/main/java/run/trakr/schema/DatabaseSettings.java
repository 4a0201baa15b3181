package run.trakr.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * Where the read models live, for the admin commands that run without Spring: Spring's
 * own environment variables, with the services' defaults.
 */
public record DatabaseSettings(String url, String user, String password) {

	public static DatabaseSettings fromEnvironment(Map<String, String> environment) {
		return new DatabaseSettings(
				environment.getOrDefault("SPRING_DATASOURCE_URL", "jdbc:postgresql://localhost:5432/trakr"),
				environment.getOrDefault("SPRING_DATASOURCE_USERNAME", "postgres"),
				environment.getOrDefault("SPRING_DATASOURCE_PASSWORD", ""));
	}

	public Connection connect() throws SQLException {
		return DriverManager.getConnection(this.url, this.user, this.password);
	}

}
