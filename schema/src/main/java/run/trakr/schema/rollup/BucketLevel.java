package run.trakr.schema.rollup;

import java.time.Duration;
import java.time.Instant;

/**
 * The widths of rollup buckets, as stored in {@code bucket_seconds}. Buckets are aligned
 * to UTC: each starts at a multiple of its width since the epoch.
 */
public enum BucketLevel {

	FIVE_MINUTES(300), HOUR(3600), DAY(86400);

	private final int seconds;

	BucketLevel(int seconds) {
		this.seconds = seconds;
	}

	public int seconds() {
		return this.seconds;
	}

	public Duration width() {
		return Duration.ofSeconds(this.seconds);
	}

	/** The start of the bucket of this level that contains {@code instant}. */
	public Instant startOf(Instant instant) {
		return Instant.ofEpochSecond(Math.floorDiv(instant.getEpochSecond(), this.seconds) * this.seconds);
	}

	public static BucketLevel ofSeconds(int seconds) {
		for (BucketLevel level : values()) {
			if (level.seconds == seconds) {
				return level;
			}
		}
		throw new IllegalArgumentException("No bucket level of " + seconds + " s");
	}

}
