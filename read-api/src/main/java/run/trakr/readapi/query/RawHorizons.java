package run.trakr.readapi.query;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.OptionalInt;
import java.util.UUID;

import jakarta.servlet.http.HttpServletResponse;
import org.jooq.DSLContext;

import org.springframework.stereotype.Component;

import run.trakr.schema.retention.Expiry;
import run.trakr.schema.retention.RawDaysCache;

/**
 * Where each org's raw data starts today (docs/retention.md, "The read API at the
 * horizon"): runs that started before it have expired, and so have its 5-minute rollups;
 * its hour and day rollups are kept longer. An answer over a window that starts before it
 * is composed of whole UTC hours there, so the window's edges before the horizon are
 * rounded out to the hours that cover them, and {@link #ANSWERED_WINDOW} says so. The
 * days are read and kept as the projector keeps them ({@link RawDaysCache}).
 */
@Component
public class RawHorizons {

	/**
	 * Response header: the window an answer covers, {@code <from>/<to>} (both included,
	 * as the query's), sent when it is not the window asked for.
	 */
	public static final String ANSWERED_WINDOW = "Trakr-Answered-Window";

	private final Clock clock;

	private final RawDaysCache rawDays;

	RawHorizons(DSLContext db, Clock clock) {
		this.clock = clock;
		this.rawDays = new RawDaysCache(db, clock);
	}

	/** The start of the org's first retained day; null when it keeps every run. */
	public Instant of(UUID orgId) {
		OptionalInt days = this.rawDays.rawDays(orgId);
		return days.isPresent() ? Expiry.horizon(today(), days.getAsInt()) : null;
	}

	/** Today, as retention counts days (UTC). */
	public LocalDate today() {
		return LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC);
	}

	/**
	 * The window an aggregate over the org's rollups answers: {@code window}, its edges
	 * before the horizon rounded out to whole UTC hours. Says so in
	 * {@link #ANSWERED_WINDOW} when that changed it.
	 */
	public TimeWindow rounded(UUID orgId, TimeWindow window, HttpServletResponse response) {
		TimeWindow answered = window.roundedToHoursBefore(of(orgId));
		if (!answered.equals(window)) {
			response.setHeader(ANSWERED_WINDOW,
					Formats.timestamp(answered.from()) + "/" + Formats.timestamp(answered.to()));
		}
		return answered;
	}

	/**
	 * The part of {@code window} whose runs the org still keeps; null when none is.
	 */
	public TimeWindow retained(UUID orgId, TimeWindow window) {
		Instant horizon = of(orgId);
		if (horizon == null || !window.from().isBefore(horizon)) {
			return window;
		}
		return window.to().isBefore(horizon) ? null : new TimeWindow(horizon, window.to());
	}

}
