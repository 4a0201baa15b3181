package run.trakr.schema.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decoder's hand-written timestamp and UUID checks must accept and reject exactly
 * what the formatter and the contract's pattern do.
 */
class DecoderFastPathsTest {

	private static final Pattern UUID_PATTERN = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	@ParameterizedTest
	@ValueSource(strings = { "2026-11-28T14:00:00Z", "2026-11-28T14:00:00.1Z", "2026-11-28T14:00:00.123Z",
			"2026-11-28T14:00:00.123456789Z", "2024-02-29T23:59:59.999Z", "0001-01-01T00:00:00Z",
			"9999-12-31T23:59:59.999999999Z" })
	void parsesTheUsualShapeAsTheFormatterDoes(String text) {
		assertThat(DecoderFastPaths.parseUtc(text)).isEqualTo(formatter(text));
	}

	@ParameterizedTest
	@ValueSource(strings = { "2026-02-30T14:00:00Z", "2025-02-29T14:00:00Z", "2026-13-01T14:00:00Z",
			"2026-00-01T14:00:00Z", "2026-11-28T24:00:00Z", "2026-11-28T14:60:00Z", "2026-11-28T14:00:60Z" })
	void rejectsImpossibleDatesAndTimesAsTheFormatterDoes(String text) {
		assertThatThrownBy(() -> formatter(text)).isInstanceOf(DateTimeException.class);
		assertThatThrownBy(() -> DecoderFastPaths.parseUtc(text)).isInstanceOf(DateTimeException.class);
	}

	@ParameterizedTest
	@ValueSource(strings = { "2026-11-28T14:00:00+01:00", "2026-11-28t14:00:00Z", "2026-11-28T14:00Z",
			"2026-11-28T14:00:00.Z", "2026-11-28T14:00:00.1234567890Z", "2026-11-28T14:00:00", "2026-11-28 14:00:00Z",
			"+2026-11-28T14:00:00Z", "2026-1a-28T14:00:00Z", "2026-11-28T14:00:00,5Z", "2026-11-28T14:00:0\u0661Z" })
	void leavesOtherShapesToTheFormatter(String text) {
		assertThat(DecoderFastPaths.parseUtc(text)).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "0f3a5c2e-8b1d-4c6a-9e2f-1a2b3c4d5e6f", "0F3A5C2E-8B1D-4C6A-9E2F-1A2B3C4D5E6F",
			"0f3a5c2e8b1d-4c6a-9e2f-1a2b3c4d5e6f0", "0f3a5c2e-8b1d-4c6a-9e2f-1a2b3c4d5e6g",
			"f3a5c2e-8b1d-4c6a-9e2f-1a2b3c4d5e6f", "0f3a5c2e-8b1d-4c6a-9e2f-1a2b3c4d5e6\u0661", "" })
	void checksUuidsAsTheContractPatternDoes(String text) {
		assertThat(DecoderFastPaths.isUuid(text)).isEqualTo(UUID_PATTERN.matcher(text).matches());
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3 })
	void agreesWithTheFormatterOnRandomInstants(int seed) {
		Random random = new Random(seed);
		for (int i = 0; i < 10_000; i++) {
			Instant instant = Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_800L),
					random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000_000));
			String text = instant.toString();
			assertThat(DecoderFastPaths.parseUtc(text)).as(text).isEqualTo(formatter(text));
			assertThat(DecoderFastPaths.isUuid(UUID.randomUUID().toString())).isTrue();
		}
	}

	private static Instant formatter(String text) {
		return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
	}

}
