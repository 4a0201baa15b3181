package run.trakr.schema.rollup;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LogHistogramTest {

	@Test
	void aCopyEqualsItsOriginalAndChangesIndependently() {
		LogHistogram original = new LogHistogram();
		for (long value : new long[] { 0, 3, 3, 90, 4_000, 1_200_000 }) {
			original.add(value);
		}
		LogHistogram copy = original.copy();
		assertThat(copy).isEqualTo(original);
		assertThat(copy.quantile(0.95)).isEqualTo(original.quantile(0.95));

		copy.add(5_000_000);
		original.add(1);
		assertThat(copy.count()).isEqualTo(7);
		assertThat(original.count()).isEqualTo(7);
		assertThat(copy.quantile(1.0)).isGreaterThan(4_000_000);
		assertThat(original.quantile(1.0)).isLessThan(1_300_000);
		assertThat(new LogHistogram().copy()).isEqualTo(new LogHistogram());
	}

	@Test
	void p95OfCostsIsWithinHalfAPercentOfTheExactNearestRank() {
		Random random = new Random(42);
		for (int trial = 0; trial < 300; trial++) {
			List<BigDecimal> costs = new ArrayList<>();
			int n = 1 + random.nextInt(2000);
			for (int i = 0; i < n; i++) {
				costs.add(randomCost(random));
			}
			LogHistogram histogram = new LogHistogram();
			costs.forEach(histogram::add);

			BigDecimal exact = nearestRank(costs, 0.95);
			BigDecimal reported = histogram.quantileAsMoney(0.95);
			if (exact.signum() == 0) {
				assertThat(reported).isEqualByComparingTo("0");
			}
			else {
				double relativeError = reported.subtract(exact).abs().doubleValue() / exact.doubleValue();
				assertThat(relativeError).as("trial %d: exact %s, reported %s", trial, exact, reported)
					.isLessThanOrEqualTo(LogHistogram.RELATIVE_ACCURACY + 1e-9);
			}
		}
	}

	@Test
	void p95OfIntegerDurationsRoundedStaysWithinOnePercent() {
		Random random = new Random(7);
		for (int trial = 0; trial < 300; trial++) {
			List<Long> durations = new ArrayList<>();
			int n = 1 + random.nextInt(2000);
			long scale = (long) Math.pow(10, random.nextInt(7));
			for (int i = 0; i < n; i++) {
				durations.add(random.nextInt(10) == 0 ? 0 : (long) (random.nextDouble() * scale));
			}
			LogHistogram histogram = new LogHistogram();
			durations.forEach(histogram::add);
			Collections.sort(durations);
			long exact = durations.get((int) Math.ceil(0.95 * n) - 1);

			long reported = histogram.quantileAsLong(0.95);

			assertThat((double) Math.abs(reported - exact))
				.as("trial %d: exact %d, reported %d", trial, exact, reported)
				.isLessThanOrEqualTo(0.01 * exact);
		}
	}

	@Test
	void mergingAndRetractingAreExactInverses() {
		Random random = new Random(3);
		LogHistogram a = new LogHistogram();
		LogHistogram b = new LogHistogram();
		for (int i = 0; i < 500; i++) {
			a.add(randomCost(random));
			b.add(randomCost(random));
		}
		LogHistogram copyOfA = LogHistogram.fromColumns(a.zeros(), a.binColumn(), a.countColumn());

		a.merge(b, 1);
		assertThat(a.count()).isEqualTo(1000);
		a.merge(b, -1);

		assertThat(a).isEqualTo(copyOfA);
	}

	@Test
	void theOrderOfAdditionsDoesNotMatter() {
		Random random = new Random(11);
		List<BigDecimal> values = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			values.add(randomCost(random));
		}
		LogHistogram forward = new LogHistogram();
		values.forEach(forward::add);
		Collections.shuffle(values, random);
		LogHistogram shuffled = new LogHistogram();
		values.forEach(shuffled::add);

		assertThat(shuffled).isEqualTo(forward);
	}

	@Test
	void columnsRoundTripAndBinsAscend() {
		LogHistogram histogram = new LogHistogram();
		histogram.add(new BigDecimal("0.5"));
		histogram.add(new BigDecimal("0.0000125"));
		histogram.add(BigDecimal.ZERO);
		histogram.add(new BigDecimal("12.34"));

		Integer[] bins = histogram.binColumn();
		assertThat(bins).isSorted().hasSize(3);
		assertThat(histogram.zeros()).isEqualTo(1);
		assertThat(LogHistogram.fromColumns(histogram.zeros(), bins, histogram.countColumn())).isEqualTo(histogram);
	}

	@Test
	void theSparseFormAnswersAsTheDenseAndHoldsOnlyItsBins() {
		Random random = new Random(7);
		for (int trial = 0; trial < 50; trial++) {
			LogHistogram dense = new LogHistogram();
			LogHistogram other = new LogHistogram();
			for (int i = 0; i < 1 + random.nextInt(300); i++) {
				dense.add(randomCost(random));
				other.add(randomCost(random));
			}
			// As read from a row, and as compacted to be cached.
			LogHistogram read = LogHistogram.fromColumns(dense.zeros(), dense.binColumn(), dense.countColumn());
			LogHistogram compacted = dense.copy().compact();
			for (LogHistogram sparse : List.of(read, compacted)) {
				assertThat(sparse).isEqualTo(dense).hasSameHashCodeAs(dense);
				assertThat(sparse.count()).isEqualTo(dense.count());
				assertThat(sparse.binCount()).isEqualTo(dense.binCount());
				assertThat(sparse.words()).isLessThanOrEqualTo(dense.binCount() * 3 / 2 + 1);
				for (double q : new double[] { 0.01, 0.5, 0.95, 1.0 }) {
					assertThat(sparse.quantile(q)).isEqualTo(dense.quantile(q));
				}
				// Merged into, merged from, retracted: as the dense form would be.
				LogHistogram expected = dense.copy();
				expected.merge(other, 1);
				LogHistogram into = sparse.copy();
				into.merge(other, 1);
				assertThat(into).isEqualTo(expected);
				LogHistogram from = other.copy();
				from.merge(sparse, 1);
				assertThat(from).isEqualTo(expected);
				from.merge(sparse, -1);
				assertThat(from).isEqualTo(other);
				LogHistogram added = sparse.copy();
				added.add(1_000L);
				LogHistogram denseAdded = dense.copy();
				denseAdded.add(1_000L);
				assertThat(added).isEqualTo(denseAdded);
				assertThat(sparse).isEqualTo(dense);
			}
		}
	}

	@Test
	void aSparseHourHoldsAFractionOfItsDenseForm() {
		LogHistogram hour = new LogHistogram();
		// Few values over six decades, as an hour of one workflow's costs.
		for (long value = 1; value < 1_000_000; value *= 2) {
			hour.add(value);
		}
		int dense = hour.words();
		assertThat(hour.compact().words()).isLessThan(dense / 10);
	}

	@Test
	void emptyAndAllZeroHistogramsReportZero() {
		assertThat(new LogHistogram().quantile(0.95)).isNull();
		assertThat(new LogHistogram().quantileAsMoney(0.95)).isEqualByComparingTo("0");
		LogHistogram zeros = new LogHistogram();
		zeros.add(0L);
		zeros.add(0L);
		assertThat(zeros.quantileAsLong(0.95)).isZero();
	}

	@Test
	void representativeIsWithinAccuracyOfEveryValueOfItsBin() {
		for (double value : new double[] { 1e-10, 0.0000125, 0.3, 1, 7, 99.99, 12345.678, 1e6 }) {
			double representative = LogHistogram.representativeOf(LogHistogram.binOf(value));
			assertThat(representative).isCloseTo(value, within(value * LogHistogram.RELATIVE_ACCURACY * 1.000001));
		}
	}

	private static BigDecimal randomCost(Random random) {
		if (random.nextInt(20) == 0) {
			return BigDecimal.ZERO;
		}
		double magnitude = Math.pow(10, -7 + random.nextDouble() * 9);
		return BigDecimal.valueOf(magnitude).setScale(10, RoundingMode.HALF_EVEN);
	}

	private static BigDecimal nearestRank(List<BigDecimal> values, double q) {
		BigDecimal[] sorted = values.toArray(BigDecimal[]::new);
		Arrays.sort(sorted);
		return sorted[(int) Math.ceil(q * sorted.length) - 1];
	}

}
