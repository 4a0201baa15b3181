package run.trakr.projector.run;

/**
 * A run before and after one batch; {@code before} is null for a run new to the database.
 */
public record RunChange(RunState before, RunState after) {
}
