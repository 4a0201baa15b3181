package run.trakr.schema.rollup;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

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

	private static final long[] NO_COUNTS = new long[0];

	/**
	 * Counts of the bins {@code offset .. offset + counts.length - 1}, dense: merging is
	 * a loop over two arrays, which the read API does for every aggregate it answers. In
	 * the sparse form ({@link #bins} set), the count of bin {@code bins[i]} instead.
	 */
	private long[] counts = NO_COUNTS;

	/**
	 * The bins that hold values, ascending, when the histogram is sparse: as read from a
	 * rollup row, or {@link #compact compacted} to be kept. An hour's histogram holds
	 * about 165 bins spread over 1,500, so the dense form of a cached value took ten
	 * times the memory its bins need. Anything that adds to a histogram makes it dense.
	 */
	private int[] bins;

	private int offset;

	/** The sum of {@link #counts}, kept so that {@link #count()} is not a loop. */
	private long binned;

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
		if (ascending(bins)) {
			// Kept as read: the columns are the sparse form already.
			int held = 0;
			for (Long count : counts) {
				held += (count != 0) ? 1 : 0;
			}
			histogram.bins = new int[held];
			histogram.counts = new long[held];
			for (int i = 0, next = 0; i < bins.length; i++) {
				if (counts[i] != 0) {
					histogram.bins[next] = bins[i];
					histogram.counts[next++] = counts[i];
					histogram.binned += counts[i];
				}
			}
			return histogram;
		}
		if (bins.length > 0) {
			// Columns out of order (not as this class writes them): dense, one
			// allocation for the whole range.
			histogram.ensureRange(Math.min(bins[0], bins[bins.length - 1]), Math.max(bins[0], bins[bins.length - 1]));
		}
		for (int i = 0; i < bins.length; i++) {
			histogram.addToBin(bins[i], counts[i]);
		}
		return histogram;
	}

	private static boolean ascending(Integer[] bins) {
		for (int i = 1; i < bins.length; i++) {
			if (bins[i] <= bins[i - 1]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Turns this histogram into its sparse form, which holds only the bins with values;
	 * returns it. For a value that is kept and read, not added to.
	 */
	public LogHistogram compact() {
		if (this.bins == null) {
			int held = binCount();
			int[] sparseBins = new int[held];
			long[] sparseCounts = new long[held];
			for (int i = 0, next = 0; i < this.counts.length; i++) {
				if (this.counts[i] != 0) {
					sparseBins[next] = this.offset + i;
					sparseCounts[next++] = this.counts[i];
				}
			}
			this.bins = sparseBins;
			this.counts = sparseCounts;
			this.offset = 0;
		}
		return this;
	}

	/** The dense form, which can be added to. */
	private void densify() {
		if (this.bins != null) {
			int[] sparseBins = this.bins;
			long[] sparseCounts = this.counts;
			this.bins = null;
			this.counts = NO_COUNTS;
			this.offset = 0;
			if (sparseBins.length > 0) {
				ensureRange(sparseBins[0], sparseBins[sparseBins.length - 1]);
				for (int i = 0; i < sparseBins.length; i++) {
					this.counts[sparseBins[i] - this.offset] = sparseCounts[i];
				}
			}
		}
	}

	/**
	 * The memory this histogram's bins hold, in 8-byte words (a sparse bin is an int and
	 * a long): what a cache bounded by memory weighs.
	 */
	public int words() {
		return (this.bins != null) ? this.bins.length + (this.bins.length + 1) / 2 : this.counts.length;
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
		densify();
		this.zeros += sign * other.zeros;
		if (other.bins != null) {
			if (other.bins.length > 0) {
				ensureRange(other.bins[0], other.bins[other.bins.length - 1]);
				for (int i = 0; i < other.bins.length; i++) {
					this.counts[other.bins[i] - this.offset] += sign * other.counts[i];
				}
				this.binned += sign * other.binned;
			}
			return;
		}
		int first = other.firstNonZero();
		if (first < 0) {
			return;
		}
		int last = other.lastNonZero();
		ensureRange(other.offset + first, other.offset + last);
		int shift = other.offset - this.offset;
		for (int i = first; i <= last; i++) {
			this.counts[i + shift] += sign * other.counts[i];
		}
		this.binned += sign * other.binned;
	}

	/** An independent copy (one array copy: cheaper than merging into an empty one). */
	public LogHistogram copy() {
		LogHistogram copy = new LogHistogram();
		copy.counts = (this.counts.length == 0) ? NO_COUNTS : this.counts.clone();
		copy.bins = (this.bins != null) ? this.bins.clone() : null;
		copy.offset = this.offset;
		copy.binned = this.binned;
		copy.zeros = this.zeros;
		return copy;
	}

	public long count() {
		return this.zeros + this.binned;
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
		for (int i = 0; i < this.counts.length; i++) {
			seen += this.counts[i];
			if (seen >= rank) {
				return representativeOf(binAt(i));
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

	/** How many bins hold values: a measure of the histogram's memory. */
	public int binCount() {
		int bins = 0;
		for (long count : this.counts) {
			bins += (count != 0) ? 1 : 0;
		}
		return bins;
	}

	public long zeros() {
		return this.zeros;
	}

	/** The bin whose count is {@code counts[i]}, in either form. */
	private int binAt(int i) {
		return (this.bins != null) ? this.bins[i] : this.offset + i;
	}

	/** Bin indexes in ascending order, for the {@code *_bins} column. */
	public Integer[] binColumn() {
		Integer[] bins = new Integer[binCount()];
		int next = 0;
		for (int i = 0; i < this.counts.length; i++) {
			if (this.counts[i] != 0) {
				bins[next++] = binAt(i);
			}
		}
		return bins;
	}

	/** Counts in the order of {@link #binColumn()}, for the {@code *_counts} column. */
	public Long[] countColumn() {
		Long[] counts = new Long[binCount()];
		int next = 0;
		for (long count : this.counts) {
			if (count != 0) {
				counts[next++] = count;
			}
		}
		return counts;
	}

	private void addToBin(int bin, long count) {
		if (count != 0) {
			densify();
			ensureRange(bin, bin);
			this.counts[bin - this.offset] += count;
			this.binned += count;
		}
	}

	/** Grows the dense array (with some slack) until it holds bins {@code low..high}. */
	private void ensureRange(int low, int high) {
		if (this.counts.length == 0) {
			this.offset = low - 16;
			this.counts = new long[high - low + 33];
			return;
		}
		int end = this.offset + this.counts.length;
		if (low >= this.offset && high < end) {
			return;
		}
		int newOffset = Math.min(this.offset, low - 64);
		int newEnd = Math.max(end, high + 65);
		long[] grown = new long[newEnd - newOffset];
		System.arraycopy(this.counts, 0, grown, this.offset - newOffset, this.counts.length);
		this.counts = grown;
		this.offset = newOffset;
	}

	private int firstNonZero() {
		for (int i = 0; i < this.counts.length; i++) {
			if (this.counts[i] != 0) {
				return i;
			}
		}
		return -1;
	}

	private int lastNonZero() {
		for (int i = this.counts.length - 1; i >= 0; i--) {
			if (this.counts[i] != 0) {
				return i;
			}
		}
		return -1;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof LogHistogram histogram && this.zeros == histogram.zeros
				&& Arrays.equals(binColumn(), histogram.binColumn())
				&& Arrays.equals(countColumn(), histogram.countColumn());
	}

	@Override
	public int hashCode() {
		return Long.hashCode(this.zeros) * 31 + Arrays.hashCode(binColumn()) * 17 + Arrays.hashCode(countColumn());
	}

	/** Lists the non-empty bins as {@code {bin=count, …}}. */
	@Override
	public String toString() {
		StringBuilder text = new StringBuilder("LogHistogram{zeros=").append(this.zeros).append(", bins={");
		String separator = "";
		for (int i = 0; i < this.counts.length; i++) {
			if (this.counts[i] != 0) {
				text.append(separator).append(binAt(i)).append('=').append(this.counts[i]);
				separator = ", ";
			}
		}
		return text.append("}}").toString();
	}

}
