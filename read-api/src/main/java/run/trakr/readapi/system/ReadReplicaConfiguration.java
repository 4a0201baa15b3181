package run.trakr.readapi.system;

import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/**
 * With {@code trakr.read-replica.url} set (environment {@code TRAKR_READREPLICA_URL}),
 * the routes read from a streaming replica of the primary: every statement goes there
 * except what runs inside {@link PrimaryDatabase#call} (token lookups on a cache miss and
 * the {@code last_used_at} writes). The two are pools of their own, both with the
 * {@code spring.datasource.hikari.*} settings; the replica's credentials default to the
 * primary's. Freshness (extensions.md §2) is read from the replica like any route, so it
 * reports the replica's lag. Without the property Boot's single pool serves everything.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(ReadReplicaConfiguration.URL)
class ReadReplicaConfiguration {

	static final String URL = "trakr.read-replica.url";

	@Bean
	@ConfigurationProperties("spring.datasource.hikari")
	HikariDataSource primaryDataSource(DataSourceProperties primary) {
		HikariDataSource pool = primary.initializeDataSourceBuilder().type(HikariDataSource.class).build();
		pool.setPoolName("primary");
		return pool;
	}

	@Bean
	@ConfigurationProperties("spring.datasource.hikari")
	HikariDataSource replicaDataSource(DataSourceProperties primary, @Value("${" + URL + "}") String url,
			@Value("${trakr.read-replica.username:}") String username,
			@Value("${trakr.read-replica.password:}") String password) {
		HikariDataSource pool = primary.initializeDataSourceBuilder()
			.type(HikariDataSource.class)
			.url(url)
			.username(username.isEmpty() ? primary.determineUsername() : username)
			.password(password.isEmpty() ? primary.determinePassword() : password)
			.build();
		pool.setPoolName("replica");
		return pool;
	}

	/**
	 * What jOOQ and the transaction manager use. A transaction's statements all run on
	 * the connection it began with, so a REPEATABLE READ page or export reads one
	 * snapshot of the replica.
	 */
	@Bean
	@Primary
	DataSource dataSource(HikariDataSource primaryDataSource, HikariDataSource replicaDataSource) {
		return new ReplicaRouting(primaryDataSource, replicaDataSource);
	}

	private static final class ReplicaRouting extends AbstractRoutingDataSource {

		ReplicaRouting(DataSource primary, DataSource replica) {
			setTargetDataSources(Map.of(Boolean.TRUE, primary, Boolean.FALSE, replica));
			setDefaultTargetDataSource(replica);
			setLenientFallback(false);
			afterPropertiesSet();
		}

		@Override
		protected Object determineCurrentLookupKey() {
			return PrimaryDatabase.requested();
		}

	}

}
