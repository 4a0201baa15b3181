package run.trakr.projector.run;

/**
 * A run before and after one batch; {@code before} is null for a run new to the database.
 * {@code shard} is the Kafka partition the run's events came from, which owns its rollup
 * rows.
 */
public record RunChange(RunState before, RunState after, int shard) {
}
