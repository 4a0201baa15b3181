package run.trakr.readapi.query;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How values leave the API: money as exact plain decimals, times as UTC milliseconds. */
public final class Formats {

	private static final DateTimeFormatter ZONED = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXXXX",
			Locale.ROOT);

	private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private Formats() {
	}

	/**
	 * {@code "12.34"}, {@code "0.0000125"}, {@code "0"}: at most 10 fractional digits.
	 */
	public static String money(BigDecimal amount) {
		if (amount == null) {
			return null;
		}
		BigDecimal rounded = amount.setScale(10, RoundingMode.HALF_EVEN).stripTrailingZeros();
		return (rounded.signum() == 0) ? "0" : rounded.toPlainString();
	}

	/** An average of money, rounded half-even to 10 fractional digits. */
	public static String averageMoney(BigDecimal total, long count) {
		if (count == 0) {
			return "0";
		}
		return money(total.divide(BigDecimal.valueOf(count), 10, RoundingMode.HALF_EVEN));
	}

	public static String timestamp(Instant instant) {
		return (instant != null) ? TIMESTAMP.format(instant) : null;
	}

	/**
	 * With the zone's offset at that instant, milliseconds always:
	 * {@code 2026-03-29T00:00:00.000+01:00} ({@code Z} where the offset is zero).
	 */
	public static String timestamp(Instant instant, ZoneId zone) {
		return ZONED.format(instant.atZone(zone));
	}

	public static String timestamp(OffsetDateTime time) {
		return (time != null) ? timestamp(time.toInstant()) : null;
	}

}
