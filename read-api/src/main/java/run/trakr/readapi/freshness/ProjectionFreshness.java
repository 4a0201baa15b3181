package run.trakr.readapi.freshness;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.http.HttpServletResponse;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

import static org.jooq.impl.DSL.boolAnd;
import static org.jooq.impl.DSL.min;
import static run.trakr.schema.jooq.Tables.PROJECTOR_OFFSETS;

/**
 * Reads how current the projection is, as the projector records it per partition in
 * {@code projector_offsets}, and writes it as {@code Trakr-Data-As-Of} and
 * {@code Trakr-Projection-Lag}. Read from the database the answers come from, at most
 * once a second per replica; a failed read leaves the headers out rather than failing a
 * request the rest of the service can answer.
 */
@Component
public class ProjectionFreshness {

	public static final String DATA_AS_OF = "Trakr-Data-As-Of";

	public static final String PROJECTION_LAG = "Trakr-Projection-Lag";

	private static final Logger log = LoggerFactory.getLogger(ProjectionFreshness.class);

	/** How long one reading is used. */
	private static final Duration READ_EVERY = Duration.ofSeconds(1);

	/**
	 * A caught-up partition is confirmed every 2 s while idle (the projector's idle
	 * partition interval); a confirmation younger than this means it still is.
	 */
	private static final Duration CONFIRMED_WITHIN = Duration.ofSeconds(6);

	/**
	 * The oldest partition's time and whether every partition was caught up then.
	 *
	 * @param asOf null when the projector has recorded nothing yet
	 */
	record Reading(Instant asOf, boolean caughtUp, Instant readAt) {
	}

	private final DSLContext db;

	private final Clock clock;

	private final String topic;

	private static final Reading NONE_YET = new Reading(null, false, Instant.MIN);

	private volatile Reading last = NONE_YET;

	/**
	 * Whether a request is reading: the others meanwhile answer with the last reading.
	 */
	private final AtomicBoolean readingNow = new AtomicBoolean();

	ProjectionFreshness(DSLContext db, Clock clock, @Value("${trakr.freshness.topic:trakr.ingest.v1}") String topic) {
		this.db = db;
		this.clock = clock;
		this.topic = topic;
	}

	/**
	 * How current the projection is: the oldest partition's time and the lag in seconds
	 * (to the millisecond, as text); both null when the projector has recorded nothing.
	 */
	public record Freshness(Instant dataAsOf, String lagSeconds) {
	}

	/** What the headers say, for a body that carries it too. */
	public Freshness now() {
		Instant now = this.clock.instant();
		Reading reading = current(now);
		return (reading.asOf() == null) ? new Freshness(null, null)
				: new Freshness(reading.asOf().truncatedTo(ChronoUnit.MILLIS), lagSeconds(reading, now));
	}

	/** Adds both headers, or neither when nothing is known. */
	public void write(HttpServletResponse response) {
		Freshness freshness = now();
		if (freshness.dataAsOf() == null) {
			return;
		}
		response.setHeader(DATA_AS_OF, freshness.dataAsOf().toString());
		response.setHeader(PROJECTION_LAG, freshness.lagSeconds());
	}

	/**
	 * Seconds behind, to the millisecond: 0 while every partition is confirmed caught up,
	 * else now minus the oldest partition's time.
	 */
	static String lagSeconds(Reading reading, Instant now) {
		if (reading.caughtUp() && reading.asOf().isAfter(now.minus(CONFIRMED_WITHIN))) {
			return "0";
		}
		long millis = Math.max(0, Duration.between(reading.asOf(), now).toMillis());
		return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
	}

	private Reading current(Instant now) {
		Reading reading = this.last;
		if (reading.readAt().isAfter(now.minus(READ_EVERY))) {
			return reading;
		}
		// One reader at a time: every request that saw the reading expire used to query
		// at once, and in a stall of the database they all waited (auth path p99).
		boolean reader = this.readingNow.compareAndSet(false, true);
		if (!reader && reading != NONE_YET) {
			return reading;
		}
		try {
			reading = read(now);
			this.last = reading;
			return reading;
		}
		finally {
			if (reader) {
				this.readingNow.set(false);
			}
		}
	}

	private Reading read(Instant now) {
		try {
			Record2<OffsetDateTime, Boolean> row = this.db
				.select(min(PROJECTOR_OFFSETS.DATA_AS_OF), boolAnd(PROJECTOR_OFFSETS.CAUGHT_UP))
				.from(PROJECTOR_OFFSETS)
				.where(PROJECTOR_OFFSETS.TOPIC.eq(this.topic))
				.and(PROJECTOR_OFFSETS.DATA_AS_OF.isNotNull())
				.fetchOne();
			OffsetDateTime asOf = (row != null) ? row.value1() : null;
			return new Reading((asOf != null) ? asOf.toInstant() : null,
					asOf != null && Boolean.TRUE.equals(row.value2()), now);
		}
		catch (DataAccessException ex) {
			log.debug("Freshness not read: {}", ex.getMessage());
			return new Reading(null, false, now);
		}
	}

}
