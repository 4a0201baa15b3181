package run.trakr.readapi.run;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jooq.Record;

import run.trakr.readapi.query.QueryParameters;

import static run.trakr.schema.jooq.Tables.RUNS;

/** The sort key of the last run of a page, from which the next page starts. */
record RunPosition(Instant startedAt, BigDecimal cost, Long durationMs, UUID runId) {

	static RunPosition of(Record row) {
		return new RunPosition(row.get(RUNS.STARTED_AT).toInstant(), row.get(RUNS.COST_USD), row.get(RUNS.DURATION_MS),
				row.get(RUNS.RUN_ID));
	}

	/** The values a cursor keeps for this sort. */
	List<String> values(RunSort sort) {
		String key = switch (sort) {
			case STARTED_AT_DESC, STARTED_AT_ASC -> this.startedAt.toString();
			case COST_DESC, COST_ASC -> this.cost.toPlainString();
			case DURATION_DESC, DURATION_ASC -> (this.durationMs != null) ? this.durationMs.toString() : null;
		};
		return java.util.Arrays.asList(key, this.runId.toString());
	}

	/**
	 * Reads {@link #values}; throws IllegalArgumentException on values it did not write.
	 */
	static RunPosition parse(RunSort sort, String key, String runId) {
		// As strictly as query parameters: the values are signed, but a leaked secret
		// must not make them reach further than a query could.
		QueryParameters values = QueryParameters.ofValues(Map.of("key", String.valueOf(key)));
		UUID id = values.parseUuid("run_id", String.valueOf(runId));
		RunPosition position = switch (sort) {
			case STARTED_AT_DESC, STARTED_AT_ASC -> new RunPosition(values.instant("key"), null, null, id);
			case COST_DESC, COST_ASC -> new RunPosition(null, values.money("key"), null, id);
			case DURATION_DESC, DURATION_ASC ->
				new RunPosition(null, null, (key != null) ? Long.valueOf(key) : null, id);
		};
		if (values.hasProblems()) {
			throw new IllegalArgumentException("Not a position this API wrote");
		}
		return position;
	}

}
