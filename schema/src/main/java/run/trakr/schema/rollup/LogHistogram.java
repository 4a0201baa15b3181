package run.trakr.schema.rollup;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;

/**
 * A histogram on a fixed logarithmic bin mapping (as in DDSketch), with a separate count
 * of zeros. Histograms merge by adding counts and retract by subtracting them, so a
 * rollup row can hold one and a run's contribution can be moved between rows exactly. The
 * nearest-rank quantile it reports is within {@link #RELATIVE_ACCURACY} of the true one;
 * rounded to a whole number it stays within 1% for integer data (durations), which is why
 * the accuracy is half of the 1% the API promises.
 *
 * <p>
 * Bin {@code i} holds the values in {@code (γ^(i-1), γ^i]} with {@code γ = (1+α)/(1-α)}.
 * Binning takes the logarithm of a value, a classification only: no sum or total ever
 * passes through floating point.
 */
public final class LogHistogram {

	/** α: the largest relative error of a reported quantile. */
	public static final double RELATIVE_ACCURACY = 0.005;

	private static final double GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);

	private static final double LOG_GAMMA = Math.log(GAMMA);

	private final TreeMap<Integer, Long> bins = new TreeMap<>();

	private long zeros;

	/** The bin of a positive value. */
	public static int binOf(double value) {
		if (!(value > 0) || Double.isInfinite(value)) {
			throw new IllegalArgumentException("Only finite positive values have a bin: " + value);
		}
		return (int) Math.ceil(Math.log(value) / LOG_GAMMA);
	}

	/** The value reported for a bin: within α of every value the bin holds. */
	public static double representativeOf(int bin) {
		return 2 * Math.pow(GAMMA, bin) / (GAMMA + 1);
	}

	public static LogHistogram fromColumns(long zeros, Integer[] bins, Long[] counts) {
		if (bins.length != counts.length) {
			throw new IllegalArgumentException("bins and counts differ in length");
		}
		LogHistogram histogram = new LogHistogram();
		histogram.zeros = zeros;
		for (int i = 0; i < bins.length; i++) {
			histogram.addToBin(bins[i], counts[i]);
		}
		return histogram;
	}

	public void add(BigDecimal value) {
		addCount(value, 1);
	}

	public void add(long value) {
		addCount(value, 1);
	}

	/** Adds (or, with a negative count, retracts) occurrences of a value. */
	public void addCount(BigDecimal value, long count) {
		int sign = value.signum();
		if (sign < 0) {
			throw new IllegalArgumentException("Negative values are not binned: " + value);
		}
		if (sign == 0) {
			this.zeros += count;
		}
		else {
			addToBin(binOf(value.doubleValue()), count);
		}
	}

	public void addCount(long value, long count) {
		if (value < 0) {
			throw new IllegalArgumentException("Negative values are not binned: " + value);
		}
		if (value == 0) {
			this.zeros += count;
		}
		else {
			addToBin(binOf(value), count);
		}
	}

	/**
	 * Adds every count of another histogram, times {@code sign} (1 to merge, -1 to
	 * retract).
	 */
	public void merge(LogHistogram other, int sign) {
		this.zeros += sign * other.zeros;
		other.bins.forEach((bin, count) -> addToBin(bin, sign * count));
	}

	public long count() {
		long total = this.zeros;
		for (long count : this.bins.values()) {
			total += count;
		}
		return total;
	}

	public boolean isEmpty() {
		return count() == 0;
	}

	/**
	 * The nearest-rank quantile (the value of rank ⌈q·n⌉), or {@code null} when empty:
	 * its bin's representative, or exactly 0 for a zero.
	 */
	public Double quantile(double q) {
		long n = count();
		if (n == 0) {
			return null;
		}
		long rank = Math.max(1, (long) Math.ceil(q * n));
		long seen = this.zeros;
		if (seen >= rank) {
			return 0.0;
		}
		for (Map.Entry<Integer, Long> bin : this.bins.entrySet()) {
			seen += bin.getValue();
			if (seen >= rank) {
				return representativeOf(bin.getKey());
			}
		}
		throw new IllegalStateException("Counts are inconsistent");
	}

	/** {@link #quantile} as money: exact decimal, at most 10 fractional digits. */
	public BigDecimal quantileAsMoney(double q) {
		Double value = quantile(q);
		return (value != null) ? BigDecimal.valueOf(value).setScale(10, RoundingMode.HALF_EVEN).stripTrailingZeros()
				: BigDecimal.ZERO;
	}

	/** {@link #quantile} rounded to a whole number (durations in ms); 0 when empty. */
	public long quantileAsLong(double q) {
		Double value = quantile(q);
		return (value != null) ? Math.round(value) : 0;
	}

	public long zeros() {
		return this.zeros;
	}

	/** Bin indexes in ascending order, for the {@code *_bins} column. */
	public Integer[] binColumn() {
		return this.bins.keySet().toArray(Integer[]::new);
	}

	/** Counts in the order of {@link #binColumn()}, for the {@code *_counts} column. */
	public Long[] countColumn() {
		return this.bins.values().toArray(Long[]::new);
	}

	private void addToBin(int bin, long count) {
		if (count != 0) {
			this.bins.merge(bin, count, (a, b) -> (a + b == 0) ? null : a + b);
		}
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof LogHistogram histogram && this.zeros == histogram.zeros
				&& this.bins.equals(histogram.bins);
	}

	@Override
	public int hashCode() {
		return Long.hashCode(this.zeros) * 31 + this.bins.hashCode();
	}

	@Override
	public String toString() {
		return "LogHistogram{zeros=" + this.zeros + ", bins=" + this.bins + "}";
	}

}
