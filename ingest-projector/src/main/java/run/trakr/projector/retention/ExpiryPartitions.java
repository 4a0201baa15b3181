package run.trakr.projector.retention;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import run.trakr.schema.retention.Expiry;

/**
 * The weekly partitions of {@code runs}, {@code llm_calls} and {@code tool_uses}, named
 * {@code
 *
<table>
 * _expire_<Monday>} (V10). Created ahead of time by the retention job; a batch whose rows
 * need a week not created yet creates it itself, in a transaction of its own, committed
 * before the batch writes (attaching takes a lock that does not block writes; holding it
 * and the function's turn-taking lock until the batch commits would make other batches
 * wait). Partitions whose week has passed are detached concurrently (never blocking the
 * projector) and dropped.
 */
@Component
public class ExpiryPartitions {

	static final List<String> TABLES = List.of("runs", "llm_calls", "tool_uses");

	private static final DateTimeFormatter NAME = DateTimeFormatter.BASIC_ISO_DATE;

	private final DSLContext db;

	private final TransactionTemplate ownTransaction;

	/** Weeks known to have their partitions (a cache; the database decides). */
	private final Set<LocalDate> weeks = new ConcurrentSkipListSet<>();

	ExpiryPartitions(DSLContext db, PlatformTransactionManager transactions) {
		this.db = db;
		this.ownTransaction = new TransactionTemplate(transactions);
		this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/** Makes sure the rows expiring on these days have a partition to go to. */
	public void ensureFor(Collection<LocalDate> expiries) {
		Set<LocalDate> missing = new TreeSet<>();
		for (LocalDate expiry : expiries) {
			LocalDate week = Expiry.partitionWeek(expiry);
			if (!expiry.equals(Expiry.NEVER) && !this.weeks.contains(week)) {
				missing.add(week);
			}
		}
		if (!missing.isEmpty()) {
			this.ownTransaction.executeWithoutResult(status -> {
				for (LocalDate week : missing) {
					create(this.db, week, week);
				}
			});
		}
	}

	/**
	 * Creates the missing partitions for the expiry days first..last; returns how many.
	 */
	int create(DSLContext on, LocalDate first, LocalDate last) {
		Integer made = on.select(DSL.function("create_expiry_partitions", Integer.class, DSL.val(first), DSL.val(last)))
			.fetchOne(0, Integer.class);
		for (LocalDate week = Expiry.partitionWeek(first); !week.isAfter(last); week = week.plusWeeks(1)) {
			this.weeks.add(week);
		}
		return (made != null) ? made : 0;
	}

	/** The Mondays of the weeks that have a partition of {@code runs} now. */
	Set<LocalDate> existing(DSLContext on) {
		Set<LocalDate> found = new TreeSet<>();
		for (String name : on.fetch("""
				SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
				WHERE i.inhparent = 'runs'::regclass AND c.relname ~ '^runs_expire_[0-9]{8}$'""")
			.getValues(0, String.class)) {
			found.add(LocalDate.parse(name.substring("runs_expire_".length()), NAME));
		}
		this.weeks.clear();
		this.weeks.addAll(found);
		return found;
	}

	/**
	 * Detaches and drops the partitions of one week, all three tables: every row in them
	 * expired by the end of that week. {@code DETACH ... CONCURRENTLY} takes a lock that
	 * does not conflict with writes and waits for the transactions that still see the
	 * partition; a detach left pending by an earlier interrupted run is finalized.
	 */
	void drop(DSLContext on, LocalDate week) {
		this.weeks.remove(week);
		for (String table : TABLES) {
			String partition = partitionName(table, week);
			Boolean pending = on
				.fetchOptional("SELECT inhdetachpending FROM pg_inherits WHERE inhrelid = to_regclass(?)", partition)
				.map(row -> row.get(0, Boolean.class))
				.orElse(null);
			if (pending != null) {
				on.execute("ALTER TABLE " + table + " DETACH PARTITION " + partition
						+ (Boolean.TRUE.equals(pending) ? " FINALIZE" : " CONCURRENTLY"));
			}
			on.execute("DROP TABLE IF EXISTS " + partition);
		}
	}

	static String partitionName(String table, LocalDate week) {
		return table + "_expire_" + NAME.format(week);
	}

}
