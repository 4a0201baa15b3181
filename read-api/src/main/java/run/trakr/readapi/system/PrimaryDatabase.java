package run.trakr.readapi.system;

import java.util.function.Supplier;

/**
 * Marks the statements that must reach the primary when route queries read from a
 * streaming replica ({@link ReadReplicaConfiguration}): a token created a moment ago must
 * authenticate at once, and a replica cannot be written. Without a replica every
 * statement reaches the primary anyway and the mark changes nothing.
 */
public final class PrimaryDatabase {

	private static final ThreadLocal<Boolean> ON_PRIMARY = new ThreadLocal<>();

	private PrimaryDatabase() {
	}

	/** Runs {@code work} with its statements (outside any transaction) on the primary. */
	public static <T> T call(Supplier<T> work) {
		Boolean outer = ON_PRIMARY.get();
		ON_PRIMARY.set(Boolean.TRUE);
		try {
			return work.get();
		}
		finally {
			if (outer == null) {
				ON_PRIMARY.remove();
			}
		}
	}

	/** {@link #call} for work that returns nothing. */
	public static void run(Runnable work) {
		call(() -> {
			work.run();
			return null;
		});
	}

	static boolean requested() {
		return ON_PRIMARY.get() != null;
	}

}
