package run.trakr.readapi.freshness;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record2;
import org.jooq.Result;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.tools.jdbc.MockConnection;
import org.jooq.tools.jdbc.MockResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;

/**
 * Who reads the projection's state when the last reading expires: one request, while the
 * others answer at once with the last reading. The database here is jOOQ's mock, as the
 * point is what waits for it, not what it answers; the headers against a real projector
 * are checked end to end (FreshnessIT).
 */
class ProjectionFreshnessTest {

	private static final Field<OffsetDateTime> AS_OF = DSL.min(PROJECTOR_OFFSETS.DATA_AS_OF);

	private static final Field<Boolean> CAUGHT_UP = DSL.boolAnd(PROJECTOR_OFFSETS.CAUGHT_UP);

	private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T11:00:00Z"));

	private final AtomicInteger reads = new AtomicInteger();

	private final CountDownLatch secondReadMayFinish = new CountDownLatch(1);

	@Test
	void whileOneRequestReadsTheOthersAnswerWithTheLastReading() throws Exception {
		DSLContext db = DSL.using(new MockConnection((context) -> {
			int read = this.reads.incrementAndGet();
			if (read == 2) {
				awaitRelease();
			}
			Result<Record2<OffsetDateTime, Boolean>> result = DSL.using(SQLDialect.POSTGRES)
				.newResult(AS_OF, CAUGHT_UP);
			Record2<OffsetDateTime, Boolean> row = DSL.using(SQLDialect.POSTGRES).newRecord(AS_OF, CAUGHT_UP);
			row.values(OffsetDateTime.ofInstant(this.now.get(), ZoneOffset.UTC).minusSeconds(read), false);
			result.add(row);
			return new MockResult[] { new MockResult(1, result) };
		}), SQLDialect.POSTGRES);
		ProjectionFreshness freshness = new ProjectionFreshness(db, clock(), "trakr.ingest.v1");

		Instant firstAsOf = freshness.now().dataAsOf();
		assertThat(firstAsOf).isEqualTo(this.now.get().minusSeconds(1));

		this.now.set(this.now.get().plusSeconds(2));
		CompletableFuture<ProjectionFreshness.Freshness> reader = CompletableFuture.supplyAsync(freshness::now);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.reads.get() == 2);

		// Another request meanwhile: the last reading, at once, and no query of its own.
		ProjectionFreshness.Freshness meanwhile = CompletableFuture.supplyAsync(freshness::now)
			.get(2, TimeUnit.SECONDS);
		assertThat(meanwhile.dataAsOf()).isEqualTo(firstAsOf);
		assertThat(meanwhile.lagSeconds()).isEqualTo("3");
		assertThat(this.reads).hasValue(2);

		this.secondReadMayFinish.countDown();
		assertThat(reader.get(5, TimeUnit.SECONDS).dataAsOf()).isEqualTo(this.now.get().minusSeconds(2));
		assertThat(freshness.now().dataAsOf()).isEqualTo(this.now.get().minusSeconds(2));
		assertThat(this.reads).hasValue(2);
	}

	private void awaitRelease() throws SQLException {
		try {
			this.secondReadMayFinish.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLException(ex);
		}
	}

	private Clock clock() {
		return new Clock() {
			@Override
			public ZoneId getZone() {
				return ZoneOffset.UTC;
			}

			@Override
			public Clock withZone(ZoneId zone) {
				return this;
			}

			@Override
			public Instant instant() {
				return ProjectionFreshnessTest.this.now.get();
			}
		};
	}

}
