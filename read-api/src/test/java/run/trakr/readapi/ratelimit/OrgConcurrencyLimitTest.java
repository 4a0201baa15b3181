package run.trakr.readapi.ratelimit;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

class OrgConcurrencyLimitTest {

	@Test
	void countsUnderACostFilterAndMinuteSeriesAreExpensiveTheRestIsNot() {
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/runs", "cost_min", "0.5"))).isTrue();
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/runs", "cost_max", "2"))).isTrue();
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/workflows/triage/stats", "interval", "minute"))).isTrue();

		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/runs", "status", "error"))).isFalse();
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/workflows/triage/stats", "interval", "hour"))).isFalse();
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/workflows", "from", "0001-01-01T00:00:00Z"))).isFalse();
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/runs/x", "cost_min", "1"))).isFalse();
	}

	@Test
	void anEncodedNameIsTheNameTomcatDecodes() {
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/runs", "cost%5Fmin", "1"))).isTrue();
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/workflows/a/stats", "interval", "minut%65"))).isTrue();
		assertThat(OrgConcurrencyLimit.isExpensive(get("/api/runs", "cost%ZZmin", "1"))).isFalse();
	}

	@Test
	void aQueryTomcatCannotParseIsNotParsedHere() {
		MockHttpServletRequest request = get("/api/runs", "=&cost_min", "1");

		assertThat(OrgConcurrencyLimit.isExpensive(request)).isTrue();
	}

	private static MockHttpServletRequest get(String path, String parameter, String value) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
		request.setQueryString(parameter + "=" + value);
		return request;
	}

}
