package run.trakr.readapi.query;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimeWindowTest {

	private static final Instant HORIZON = Instant.parse("2026-11-01T00:00:00Z");

	@Test
	void edgesBeforeTheHorizonAreRoundedOutToWholeHours() {
		TimeWindow window = new TimeWindow(Instant.parse("2026-10-17T10:05:30.123456Z"),
				Instant.parse("2026-10-17T11:20:00Z"));

		assertThat(window.roundedToHoursBefore(HORIZON)).isEqualTo(
				new TimeWindow(Instant.parse("2026-10-17T10:00:00Z"), Instant.parse("2026-10-17T11:59:59.999999Z")));
	}

	@Test
	void aWindowAcrossTheHorizonRoundsOnlyItsStart() {
		TimeWindow window = new TimeWindow(Instant.parse("2026-10-31T23:59:59Z"),
				Instant.parse("2026-11-20T08:07:06.5Z"));

		assertThat(window.roundedToHoursBefore(HORIZON))
			.isEqualTo(new TimeWindow(Instant.parse("2026-10-31T23:00:00Z"), Instant.parse("2026-11-20T08:07:06.5Z")));
	}

	@Test
	void aWindowFromTheHorizonOnOrWithoutOneIsUnchanged() {
		TimeWindow window = new TimeWindow(HORIZON, Instant.parse("2026-11-20T08:07:06.5Z"));
		TimeWindow before = new TimeWindow(Instant.parse("2026-10-17T10:05:30Z"),
				Instant.parse("2026-10-17T11:20:00Z"));

		assertThat(window.roundedToHoursBefore(HORIZON)).isSameAs(window);
		assertThat(before.roundedToHoursBefore(null)).isSameAs(before);
	}

	@Test
	void anEdgeOnAnHourStaysThere() {
		TimeWindow window = new TimeWindow(Instant.parse("2026-10-17T10:00:00Z"),
				Instant.parse("2026-10-17T11:59:59.999999Z"));

		assertThat(window.roundedToHoursBefore(HORIZON)).isEqualTo(window);
	}

}
