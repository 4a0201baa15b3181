package run.trakr.projector.retention;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code trakr.retention.*}: how the projector expires raw rows (docs/retention.md). The
 * horizons themselves are in the database ({@code retention_plans}, an org's override).
 *
 * @param enabled whether this instance runs the retention job (one instance at a time
 * does, whichever takes the lock)
 * @param interval how often the job runs
 * @param batchSize rows per DELETE of the batched removals (keys, 5-minute rollups,
 * alerts, old rollups), each its own short transaction
 * @param lockTimeout how long a step waits for a lock before it gives up until the next
 * run (no step takes a lock that blocks the projector's writes; this bounds the job)
 * @param weeksAhead how many weeks of partitions beyond the longest horizon exist ahead
 */
@ConfigurationProperties("trakr.retention")
public record RetentionProperties(@DefaultValue("true") boolean enabled, @DefaultValue("1h") Duration interval,
		@DefaultValue("5000") int batchSize, @DefaultValue("1s") Duration lockTimeout,
		@DefaultValue("2") int weeksAhead) {
}
