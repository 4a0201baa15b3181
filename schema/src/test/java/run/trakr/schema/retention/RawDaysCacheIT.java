package run.trakr.schema.retention;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(LocalStackExtension.class)
class RawDaysCacheIT {

	@Test
	void daysFollowThePlanOrTheOverrideAndAChangeArrivesAfterTheTtl(LocalStack stack) throws Exception {
		String url = stack.createDatabase();
		Flyway.configure()
			.dataSource(url, stack.postgresUser(), stack.postgresPassword())
			.locations("classpath:db/migration")
			.load()
			.migrate();
		UUID starter = UUID.randomUUID();
		UUID overridden = UUID.randomUUID();
		UUID unregistered = UUID.randomUUID();
		Instant start = Instant.parse("2026-12-02T10:00:00Z");
		try (Connection connection = DriverManager.getConnection(url, stack.postgresUser(), stack.postgresPassword())) {
			DSLContext db = DSL.using(connection, SQLDialect.POSTGRES);
			db.execute("INSERT INTO organizations (org_id, name, plan) VALUES (?, 'Small', 'starter')", starter);
			db.execute("INSERT INTO organizations (org_id, name, plan, retention_days) VALUES (?, 'Own', 'pro', 200)",
					overridden);
			Clock[] clock = { Clock.fixed(start, ZoneOffset.UTC) };
			RawDaysCache cache = new RawDaysCache(db, new Clock() {

				@Override
				public Instant instant() {
					return clock[0].instant();
				}

				@Override
				public ZoneId getZone() {
					return ZoneOffset.UTC;
				}

				@Override
				public Clock withZone(ZoneId zone) {
					return this;
				}

			});
			List<UUID> orgs = List.of(starter, overridden, unregistered);

			List<Set<UUID>> read = new ArrayList<>();
			assertThat(cache.rawDays(orgs, read::add)).isEqualTo(Map.of(starter, OptionalInt.of(30), overridden,
					OptionalInt.of(200), unregistered, OptionalInt.empty()));
			assertThat(read).containsExactly(Set.copyOf(orgs));
			cache.rawDays(orgs, read::add);
			assertThat(read).as("none stale: nothing read").hasSize(1);

			db.execute("UPDATE organizations SET retention_days = 7 WHERE org_id = ?", starter);
			clock[0] = Clock.fixed(start.plus(RawDaysCache.TTL), ZoneOffset.UTC);
			assertThat(cache.rawDays(starter)).as("kept for the TTL").hasValue(30);
			clock[0] = Clock.fixed(start.plus(RawDaysCache.TTL).plusMillis(1), ZoneOffset.UTC);
			assertThat(cache.rawDays(orgs, read::add)).containsEntry(starter, OptionalInt.of(7));
			assertThat(read).as("every org stale after the TTL").hasSize(2).last().isEqualTo(Set.copyOf(orgs));
			assertThat(cache.rawDays(starter)).hasValue(7);
		}
	}

}
