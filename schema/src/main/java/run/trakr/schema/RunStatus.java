package run.trakr.schema;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import run.trakr.schema.event.IngestEvent.EndStatus;

/**
 * A run's status: {@code running} until its {@code run_ended}, then how it ended. The
 * stored text is the one in {@code runs.status} and in the API; the error rate counts the
 * failed among the completed.
 */
public enum RunStatus {

	RUNNING, SUCCESS, ERROR, LOOP_DETECTED, TIMEOUT;

	private static final List<String> STORED = Arrays.stream(values()).map(RunStatus::stored).toList();

	/** As {@code runs.status} and the API spell it. */
	public String stored() {
		return name().toLowerCase(Locale.ROOT);
	}

	/** Ended, whichever way. */
	public boolean completed() {
		return this != RUNNING;
	}

	/** Ended other than in success: error, loop_detected or timeout. */
	public boolean failed() {
		return completed() && this != SUCCESS;
	}

	/** The status stored as {@code text}; an unknown one is a bug, not input. */
	public static RunStatus of(String text) {
		return valueOf(text.toUpperCase(Locale.ROOT));
	}

	/** How a {@code run_ended} says the run ended. */
	public static RunStatus of(EndStatus ended) {
		return valueOf(ended.name());
	}

	/** Every stored text, in declaration order. */
	public static List<String> storedValues() {
		return STORED;
	}

}
