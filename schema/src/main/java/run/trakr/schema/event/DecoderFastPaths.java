package run.trakr.schema.event;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Hand-written parsers for the shapes SDKs usually send, each checked against the general
 * parser it stands in front of ({@code DecoderFastPathsTest}).
 */
final class DecoderFastPaths {

	private DecoderFastPaths() {
	}

	/**
	 * The shape SDKs send, {@code 2026-11-28T14:00:00[.fraction]Z}, parsed by hand: the
	 * formatter took a third of decoding. Null for any other shape, which the formatter
	 * then decides; throws for an impossible date or time, as the formatter would.
	 */
	static Instant parseUtc(String text) {
		int length = text.length();
		if (length < 20 || length > 30 || length == 21 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-'
				|| text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
				|| (length > 20 && text.charAt(19) != '.')) {
			return null;
		}
		int nanos = 0;
		int scale = 100_000_000;
		for (int i = 20; i < length - 1; i++, scale /= 10) {
			int digit = digit(text, i);
			if (digit < 0) {
				return null;
			}
			nanos += digit * scale;
		}
		int year = number(text, 0, 4);
		int month = number(text, 5, 7);
		int day = number(text, 8, 10);
		int hour = number(text, 11, 13);
		int minute = number(text, 14, 16);
		int second = number(text, 17, 19);
		if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
			return null;
		}
		return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
	}

	/**
	 * Canonical 8-4-4-4-12 hex only; {@link UUID#fromString} alone accepts shorter
	 * groups.
	 */
	static boolean isUuid(String text) {
		if (text.length() != 36) {
			return false;
		}
		for (int i = 0; i < 36; i++) {
			char c = text.charAt(i);
			boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
			boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
			if (dash ? c != '-' : !hex) {
				return false;
			}
		}
		return true;
	}

	private static int number(String text, int from, int to) {
		int value = 0;
		for (int i = from; i < to; i++) {
			int digit = digit(text, i);
			if (digit < 0) {
				return -1;
			}
			value = value * 10 + digit;
		}
		return value;
	}

	private static int digit(String text, int index) {
		char c = text.charAt(index);
		return (c >= '0' && c <= '9') ? c - '0' : -1;
	}

}
