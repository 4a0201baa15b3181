package run.trakr.readapi.rollup;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The revisions this replica read lately, reused until PostgreSQL says a revision table
 * may have changed. Every statement that writes {@code rollup_revisions} or
 * {@code org_revisions} notifies channel {@value #CHANNEL} when its transaction commits
 * (V12); one connection here listens, and each notification starts a new generation that
 * every remembered read is checked against. So while nothing changes a version lookup (a
 * 304, a cached answer's check) runs no statement, and the first after a change reads.
 * <p>
 * A commit is seen when its notification arrives, a fraction of a millisecond later on a
 * quiet machine; a request in between answers as of just before that commit, as if it had
 * come a moment earlier (the projection lags by more than that anyway). While the
 * listening connection is not up (starting, lost, being replaced), and when the routes
 * read a streaming replica (a primary's notification says nothing of what the replica has
 * replayed), nothing is remembered and every lookup reads. A connection that dies without
 * a word is found by a ping after a second without notifications, answered within five.
 * {@code trakr.revision-watch.enabled=false} reads every time (for a database behind a
 * pooler that cannot hold a LISTEN, or an org-distributed one whose triggers notify on
 * the node that holds the row).
 */
@Component
public class RevisionWatch implements SmartLifecycle {

	static final String CHANNEL = "trakr_revisions";

	private static final Logger log = LoggerFactory.getLogger(RevisionWatch.class);

	/** Nothing is remembered: no listening connection vouches for it. */
	private static final long NOT_WATCHING = -1;

	private static final Duration PING = Duration.ofSeconds(1);

	private static final String MARKS = "seen:";

	private final String url;

	private final Properties connection = new Properties();

	private final boolean enabled;

	private final AtomicLong generations = new AtomicLong();

	private volatile long generation = NOT_WATCHING;

	/**
	 * The prefix of this replica's marks: every replica listening hears every mark, and
	 * another's numbers say nothing of this one's.
	 */
	private final String markPrefix = MARKS + UUID.randomUUID() + ":";

	/** The last of {@link #awaitSeen}'s marks the listener has received. */
	private final AtomicLong marksSeen = new AtomicLong();

	private final AtomicLong marksSent = new AtomicLong();

	/** Counts the listening connections made. */
	private final AtomicLong sessions = new AtomicLong();

	/** About 1 KB an entry at most (a window's revisions). */
	private final Cache<Object, Read> reads = Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run).build();

	private volatile boolean running;

	private Thread listener;

	/** Where {@link #awaitSeen} sends its marks from; opened on first use. */
	private Connection sender;

	private record Read(long generation, Object value) {
	}

	RevisionWatch(DataSourceProperties database, @Value("${trakr.read-replica.url:}") String readReplica,
			@Value("${trakr.revision-watch.enabled:true}") boolean enabled) {
		this.url = database.determineUrl();
		this.connection.setProperty("user", database.determineUsername());
		String password = database.determinePassword();
		if (password != null) {
			this.connection.setProperty("password", password);
		}
		this.connection.setProperty("ApplicationName", "trakr-revision-watch");
		this.connection.setProperty("connectTimeout", "5");
		// A ping that gets no answer in this long ends the connection (and the trust).
		this.connection.setProperty("socketTimeout", "5");
		this.enabled = enabled && readReplica.isEmpty();
		if (enabled && !readReplica.isEmpty()) {
			log.info("Revisions are read on every request: the routes read a streaming replica");
		}
	}

	/**
	 * What {@code read} returns, from memory when it was read in this generation. A read
	 * inside a transaction always runs: its snapshot may be older than the generation.
	 */
	@SuppressWarnings("unchecked")
	<V> V read(Object key, Supplier<V> read) {
		// Taken before the statement runs: a change committed while it runs moves the
		// generation, so what it read is not reused.
		long current = this.generation;
		if (current == NOT_WATCHING || TransactionSynchronizationManager.isActualTransactionActive()) {
			return read.get();
		}
		Read remembered = this.reads.getIfPresent(key);
		if (remembered != null && remembered.generation == current) {
			return (V) remembered.value;
		}
		V value = read.get();
		this.reads.put(key, new Read(current, value));
		return value;
	}

	/** Whether lookups are being remembered (the listening connection is up). */
	public boolean watching() {
		return this.generation != NOT_WATCHING;
	}

	/**
	 * Returns once every change committed before the call has been seen here, so the
	 * caller reads its own writes: sends a mark on the channel and waits for it
	 * (notifications arrive in commit order). For tests and tools; at once when not
	 * watching.
	 */
	public void awaitSeen(Duration timeout) throws SQLException, InterruptedException {
		long session = this.sessions.get();
		if (!watching()) {
			return;
		}
		long mark = sendMark();
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.marksSeen) {
			// A new listening session remembers nothing from before it began.
			while (this.marksSeen.get() < mark && watching() && this.sessions.get() == session) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					throw new IllegalStateException("revision notifications not seen within " + timeout);
				}
				this.marksSeen.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
			}
		}
	}

	/** Sends the next mark on a connection kept for that, so many callers open none. */
	private synchronized long sendMark() throws SQLException {
		long mark = this.marksSent.incrementAndGet();
		try {
			if (this.sender == null || this.sender.isClosed()) {
				this.sender = DriverManager.getConnection(this.url, this.connection);
			}
			try (Statement statement = this.sender.createStatement()) {
				statement.execute("SELECT pg_notify('" + CHANNEL + "', '" + this.markPrefix + mark + "')");
			}
			return mark;
		}
		catch (SQLException ex) {
			closeSender();
			throw ex;
		}
	}

	private synchronized void closeSender() {
		if (this.sender != null) {
			try {
				this.sender.close();
			}
			catch (SQLException ex) {
				// Already gone.
			}
			this.sender = null;
		}
	}

	@Override
	public void start() {
		if (!this.enabled) {
			return;
		}
		this.running = true;
		this.listener = new Thread(this::listen, "revision-watch");
		this.listener.setDaemon(true);
		this.listener.start();
	}

	@Override
	public void stop() {
		this.running = false;
		closeSender();
		this.generation = NOT_WATCHING;
		if (this.listener != null) {
			this.listener.interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void listen() {
		boolean failed = false;
		while (this.running) {
			try (Connection listening = DriverManager.getConnection(this.url, this.connection);
					Statement statement = listening.createStatement()) {
				statement.execute("LISTEN " + CHANNEL);
				// Whatever was remembered before may have missed a change.
				this.generation = this.generations.incrementAndGet();
				synchronized (this.marksSeen) {
					this.sessions.incrementAndGet();
					this.marksSeen.notifyAll();
				}
				if (failed) {
					log.info("Revision notifications received again");
					failed = false;
				}
				PGConnection notifications = listening.unwrap(PGConnection.class);
				while (this.running) {
					PGNotification[] received = notifications.getNotifications((int) PING.toMillis());
					if (received != null && received.length > 0) {
						seen(received);
					}
					else {
						statement.execute("SELECT 1");
					}
				}
			}
			catch (SQLException ex) {
				this.generation = NOT_WATCHING;
				synchronized (this.marksSeen) {
					this.marksSeen.notifyAll();
				}
				if (!failed && this.running) {
					log.warn("Revision notifications lost, revisions read on every request until they return: {}",
							ex.getMessage());
					failed = true;
				}
				pause();
			}
		}
	}

	/** A new generation for any change among them; then the marks they carry are seen. */
	private void seen(PGNotification[] received) {
		long mark = 0;
		boolean changed = false;
		for (PGNotification notification : received) {
			String payload = notification.getParameter();
			if (payload.startsWith(this.markPrefix)) {
				mark = Math.max(mark, Long.parseLong(payload.substring(this.markPrefix.length())));
			}
			else if (!payload.startsWith(MARKS)) {
				changed = true;
			}
		}
		if (changed) {
			this.generation = this.generations.incrementAndGet();
		}
		if (mark > 0) {
			synchronized (this.marksSeen) {
				this.marksSeen.accumulateAndGet(mark, Math::max);
				this.marksSeen.notifyAll();
			}
		}
	}

	private void pause() {
		try {
			Thread.sleep(PING.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running = false;
		}
	}

}
