package run.trakr.projector;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.junit.LocalStackExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;

@SpringBootTest
@ExtendWith(LocalStackExtension.class)
class IngestProjectorApplicationIT {

	@DynamicPropertySource
	static void localStack(DynamicPropertyRegistry registry) {
		LocalStackExtension.stack().springProperties().forEach((key, value) -> registry.add(key, () -> value));
	}

	@Autowired
	DSLContext db;

	@Test
	void startsAgainstTheLocalStackWithTheSchemaMigrated() {
		assertThat(this.db.fetchCount(PROJECTOR_OFFSETS)).isZero();
		assertThat(this.db.fetchValue("SELECT count(*) FROM flyway_schema_history WHERE success", Long.class))
			.isEqualTo(6L);
	}

}
