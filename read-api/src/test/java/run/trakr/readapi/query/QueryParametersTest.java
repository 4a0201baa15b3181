package run.trakr.readapi.query;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class QueryParametersTest {

	/** Grafana's {@code ${__from}} and {@code ${__to}}: epoch milliseconds. */
	@ParameterizedTest
	@CsvSource({ "1764288000000, 2025-11-28T00:00:00Z", "1764374399999, 2025-11-28T23:59:59.999Z",
			"0, 1970-01-01T00:00:00Z", "-1, 1969-12-31T23:59:59.999Z", "' 1764288000000 ', 2025-11-28T00:00:00Z",
			"-62135596800000, 0001-01-01T00:00:00Z", "253402300799999, 9999-12-31T23:59:59.999Z",
			"2026-11-28T14:00:00+01:00, 2026-11-28T13:00:00Z" })
	void readsEpochMillisecondsAndIsoTimestampsAlike(String given, String expected) {
		QueryParameters parameters = new QueryParameters(Map.of("from", new String[] { given }));
		assertThat(parameters.instant("from")).isEqualTo(Instant.parse(expected));
		assertThat(parameters.hasProblems()).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "-62135596800001", "253402300800000", "9223372036854775807", "99999999999999999999",
			"1764288000000.5", "1.764288e12", "１７６４２８８０００００", "+1764288000000", "--1", "-", "0x10", "" })
	void refusesNumbersOutsideTheYearsOneTo9999AndAnythingNotAnInteger(String given) {
		QueryParameters parameters = new QueryParameters(Map.of("from", new String[] { given }));
		assertThat(parameters.instant("from")).isNull();
		assertThat(parameters.hasProblems()).as(given).isTrue();
	}

}
