package run.trakr.schema.retention;

import java.time.Instant;
import java.time.LocalDate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiryTest {

	@Test
	void aRunExpiresTheDayAfterItsStartDayPlusTheHorizon() {
		// Started late on 2026-11-28 (UTC), 30 days kept: still there all of 2026-12-28.
		LocalDate expiry = Expiry.of(Instant.parse("2026-11-28T23:59:59.999Z"), 30);
		assertThat(expiry).isEqualTo(LocalDate.parse("2026-12-29"));
		assertThat(Expiry.expired(expiry, LocalDate.parse("2026-12-28"))).isFalse();
		assertThat(Expiry.expired(expiry, LocalDate.parse("2026-12-29"))).isTrue();
		// The offset of the SDK's timestamp does not matter: the UTC day does.
		assertThat(Expiry.of(Instant.parse("2026-11-29T00:00:00Z"), 30)).isEqualTo(LocalDate.parse("2026-12-30"));
	}

	@Test
	void theHorizonIsTheFirstDayWhoseRunsHaveNotExpired() {
		LocalDate today = LocalDate.parse("2026-12-29");
		Instant horizon = Expiry.horizon(today, 30);
		assertThat(horizon).isEqualTo(Instant.parse("2026-11-29T00:00:00Z"));
		assertThat(Expiry.expired(Expiry.of(horizon, 30), today)).isFalse();
		assertThat(Expiry.expired(Expiry.of(horizon.minusNanos(1000), 30), today)).isTrue();
	}

	@Test
	void partitionsAreWeeksStartingOnMonday() {
		assertThat(Expiry.partitionWeek(LocalDate.parse("2027-02-27"))).isEqualTo(LocalDate.parse("2027-02-22"));
		assertThat(Expiry.partitionWeek(LocalDate.parse("2027-02-22"))).isEqualTo(LocalDate.parse("2027-02-22"));
	}

}
