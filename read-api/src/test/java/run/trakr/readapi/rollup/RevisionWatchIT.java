package run.trakr.readapi.rollup;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;

import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import run.trakr.readapitest.support.ReadApiInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static run.trakr.schema.jooq.Tables.ORG_REVISIONS;
import static run.trakr.schema.jooq.Tables.ROLLUP_REVISIONS;

/**
 * What a replica remembers of the revisions it read, against a real PostgreSQL: nothing
 * is read again until a revision table changes (whoever writes it); a lost listening
 * connection stops the remembering until it listens again, and a change made meanwhile is
 * seen; a read inside a transaction and a replica that reads a streaming standby always
 * read.
 */
@ExtendWith(LocalStackExtension.class)
class RevisionWatchIT {

	static LocalStack stack;

	static ReadApiInstance api;

	static RevisionWatch watch;

	static DSLContext db;

	@BeforeAll
	static void start(LocalStack localStack) {
		stack = localStack;
		api = ReadApiInstance.start(stack);
		watch = api.context().getBean(RevisionWatch.class);
		db = api.context().getBean(DSLContext.class);
		await().atMost(Duration.ofSeconds(10)).until(watch::watching);
	}

	@AfterAll
	static void stop() {
		api.close();
	}

	@Test
	void aReadIsRememberedUntilARevisionTableChanges() throws Exception {
		Reads reads = new Reads();
		assertThat(watch.read(reads.key, reads)).isEqualTo(1);
		assertThat(watch.read(reads.key, reads)).as("remembered").isEqualTo(1);
		assertThat(watch.read(new Reads().key, reads)).as("another key is read").isEqualTo(2);

		// A table the answers do not version by: nothing changes.
		db.execute("CREATE TEMPORARY TABLE unrelated (x int)");
		db.execute("INSERT INTO unrelated VALUES (1)");
		watch.awaitSeen(Duration.ofSeconds(10));
		assertThat(watch.read(reads.key, reads)).as("no revision changed").isEqualTo(1);

		bumpOrgRevision();
		watch.awaitSeen(Duration.ofSeconds(10));
		assertThat(watch.read(reads.key, reads)).as("org_revisions changed").isEqualTo(3);
		assertThat(watch.read(reads.key, reads)).isEqualTo(3);

		db.insertInto(ROLLUP_REVISIONS)
			.set(ROLLUP_REVISIONS.ORG_ID, UUID.randomUUID())
			.set(ROLLUP_REVISIONS.BUCKET_SECONDS, 86400)
			.set(ROLLUP_REVISIONS.BUCKET_START, OffsetDateTime.parse("2026-11-01T00:00:00Z"))
			.set(ROLLUP_REVISIONS.SHARD, 0)
			.set(ROLLUP_REVISIONS.REVISION, DSL.field("nextval('rollup_revision')", Long.class))
			.execute();
		watch.awaitSeen(Duration.ofSeconds(10));
		assertThat(watch.read(reads.key, reads)).as("rollup_revisions changed").isEqualTo(4);
	}

	@Test
	void aLostListenerRemembersNothingAndAChangeMadeMeanwhileIsSeen() throws Exception {
		Reads reads = new Reads();
		assertThat(watch.read(reads.key, reads)).isEqualTo(1);
		assertThat(watch.read(reads.key, reads)).isEqualTo(1);

		int ended = db.fetchOne("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
				+ " WHERE application_name = 'trakr-revision-watch' AND query IN ('LISTEN trakr_revisions', 'SELECT 1')")
			.get(0, Integer.class);
		assertThat(ended).as("the listening connection").isEqualTo(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> !watch.watching());
		assertThat(watch.read(reads.key, reads)).as("not watching: read").isEqualTo(2);
		assertThat(watch.read(reads.key, reads)).as("and read again").isEqualTo(3);
		bumpOrgRevision();

		await().atMost(Duration.ofSeconds(10)).until(watch::watching);
		assertThat(watch.read(reads.key, reads)).as("listening again: nothing from before is trusted").isEqualTo(4);
		assertThat(watch.read(reads.key, reads)).as("remembered again").isEqualTo(4);
	}

	@Test
	void aReadInsideATransactionAlwaysRuns() {
		Reads reads = new Reads();
		assertThat(watch.read(reads.key, reads)).isEqualTo(1);
		TransactionTemplate transaction = new TransactionTemplate(
				api.context().getBean(PlatformTransactionManager.class));
		Integer inside = transaction.execute((status) -> watch.read(reads.key, reads));
		assertThat(inside).as("its snapshot may predate the generation").isEqualTo(2);
	}

	@Test
	void aReplicaThatReadsAStreamingStandbyRemembersNothing() {
		try (ReadApiInstance onReplica = ReadApiInstance.start(stack,
				Map.of("trakr.read-replica.url", stack.jdbcUrl()))) {
			RevisionWatch unwatched = onReplica.context().getBean(RevisionWatch.class);
			Reads reads = new Reads();
			assertThat(unwatched.watching()).isFalse();
			assertThat(unwatched.read(reads.key, reads)).isEqualTo(1);
			assertThat(unwatched.read(reads.key, reads)).isEqualTo(2);
		}
	}

	private static void bumpOrgRevision() {
		db.insertInto(ORG_REVISIONS)
			.set(ORG_REVISIONS.ORG_ID, UUID.randomUUID())
			.set(ORG_REVISIONS.SHARD, 0)
			.set(ORG_REVISIONS.RUNS_REVISION, 1L)
			.execute();
	}

	/** A read that counts how often it ran, and returns the count. */
	private static final class Reads implements Supplier<Integer> {

		final UUID key = UUID.randomUUID();

		private final AtomicInteger count = new AtomicInteger();

		@Override
		public Integer get() {
			return this.count.incrementAndGet();
		}

	}

}
