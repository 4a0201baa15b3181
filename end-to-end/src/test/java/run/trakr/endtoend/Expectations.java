package run.trakr.endtoend;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import run.trakr.schematest.support.IngestPopulation;
import run.trakr.schematest.support.IngestPopulation.ExpectedRun;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read API's numbers computed straight from the generated facts, the way the
 * semantics document defines them, with no rollup or histogram involved.
 */
final class Expectations {

	private final IngestPopulation population;

	Expectations(IngestPopulation population) {
		this.population = population;
	}

	/** The org's runs started inside {@code [from, to]}. */
	List<ExpectedRun> runs(UUID org, Instant from, Instant to) {
		return this.population.expectedRuns()
			.values()
			.stream()
			.filter((run) -> run.orgId().equals(org))
			.filter((run) -> !run.startedAt().isBefore(from) && !run.startedAt().isAfter(to))
			.toList();
	}

	static BigDecimal totalCost(List<ExpectedRun> runs) {
		return runs.stream().map(ExpectedRun::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
	}

	static BigDecimal averageCost(List<ExpectedRun> runs) {
		return runs.isEmpty() ? BigDecimal.ZERO
				: totalCost(runs).divide(BigDecimal.valueOf(runs.size()), 10, RoundingMode.HALF_EVEN);
	}

	static double errorRate(List<ExpectedRun> runs) {
		long completed = runs.stream().filter(ExpectedRun::completed).count();
		long failed = runs.stream().filter(ExpectedRun::failed).count();
		return (completed == 0) ? 0 : (double) failed / completed;
	}

	static long averageDuration(List<ExpectedRun> runs) {
		List<Long> durations = durations(runs);
		return durations.isEmpty() ? 0
				: Math.round((double) durations.stream().mapToLong(Long::longValue).sum() / durations.size());
	}

	static List<Long> durations(List<ExpectedRun> runs) {
		return runs.stream().filter(ExpectedRun::completed).map(ExpectedRun::durationMs).toList();
	}

	/** A stats series point holds exactly what its runs give (p95 within 1%). */
	static void assertPoint(JsonNode point, List<ExpectedRun> inBucket, String what) {
		assertThat(point.path("run_count").asLong()).as(what).isEqualTo(inBucket.size());
		assertThat(point.path("failed_count").asLong()).as(what)
			.isEqualTo(inBucket.stream().filter(ExpectedRun::failed).count());
		assertThat(point.path("error_rate").asDouble()).as(what).isEqualTo(errorRate(inBucket));
		assertThat(new BigDecimal(point.path("total_cost_usd").asString())).as(what)
			.isEqualByComparingTo(totalCost(inBucket));
		assertThat(new BigDecimal(point.path("avg_cost_usd").asString())).as(what)
			.isEqualByComparingTo(averageCost(inBucket));
		assertWithinOnePercent(what + " p95 cost", new BigDecimal(point.path("p95_cost_usd").asString()),
				p95(inBucket.stream().map(ExpectedRun::costUsd).toList()));
		assertThat(point.path("avg_duration_ms").asLong()).as(what).isEqualTo(averageDuration(inBucket));
		assertWithinOnePercent(what + " p95 duration", point.path("p95_duration_ms").asLong(),
				p95(durations(inBucket)));
	}

	/** The nearest-rank 95th percentile, or null when there are no values. */
	static <T extends Comparable<T>> T p95(List<T> values) {
		if (values.isEmpty()) {
			return null;
		}
		List<T> sorted = new ArrayList<>(values);
		sorted.sort(Comparator.naturalOrder());
		int rank = (int) Math.ceil(0.95 * sorted.size());
		return sorted.get(Math.max(rank, 1) - 1);
	}

	/** The API's promise for p95: within 1% of the exact value. */
	static void assertWithinOnePercent(String what, BigDecimal reported, BigDecimal exact) {
		if (exact == null) {
			assertThat(reported).as(what).isEqualByComparingTo(BigDecimal.ZERO);
			return;
		}
		BigDecimal error = reported.subtract(exact).abs();
		assertThat(error).as(what + ": reported " + reported + ", exact " + exact)
			.isLessThanOrEqualTo(exact.multiply(new BigDecimal("0.01")));
	}

	static void assertWithinOnePercent(String what, long reported, Long exact) {
		assertWithinOnePercent(what, BigDecimal.valueOf(reported), (exact != null) ? BigDecimal.valueOf(exact) : null);
	}

	/**
	 * Money as the API writes it: plain, at most 10 fractional digits, no trailing zeros.
	 */
	static String money(BigDecimal amount) {
		BigDecimal rounded = amount.setScale(10, RoundingMode.HALF_EVEN).stripTrailingZeros();
		return (rounded.signum() == 0) ? "0" : rounded.toPlainString();
	}

	/** UUIDs in PostgreSQL's order (bytewise), which is their text order. */
	static final Comparator<UUID> UUID_ORDER = Comparator.comparing(UUID::toString);

}
