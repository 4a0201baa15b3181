package run.trakr.readapi.auth;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import run.trakr.localstack.LocalStack;
import run.trakr.localstack.junit.LocalStackExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import run.trakr.readapitest.support.Admin;
import run.trakr.readapitest.support.Admin.OrgToken;
import run.trakr.readapitest.support.ReadApiInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens that do not work cost the database little: a repeated unknown or revoked token
 * is looked up once per interval, and an address that keeps sending new unknown tokens is
 * refused before any lookup while tokens this replica knows keep working.
 */
@ExtendWith(LocalStackExtension.class)
class FailedAuthenticationIT {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	ReadApiInstance api;

	Admin admin;

	@BeforeEach
	void start(LocalStack stack) {
		this.api = ReadApiInstance.start(stack);
		this.admin = new Admin(stack);
	}

	@AfterEach
	void stop() {
		this.api.close();
	}

	@Test
	void aRepeatedUnknownOrRevokedTokenCostsOneLookupNotOnePerRequest() {
		String unknown = "Bearer " + ReadToken.generate();
		OrgToken revoked = this.admin.createOrgWithToken("pro");
		this.admin.revoke(revoked);
		double before = metric("trakr.auth.token.lookups");

		for (int i = 0; i < 200; i++) {
			assertCode(this.api.get("/api/workflows", unknown), 401, "invalid_token");
			assertCode(this.api.get("/api/workflows", "Bearer " + revoked.token()), 401, "revoked_token");
		}

		// One each; a second only if the 5 s interval of the unknown one ran out.
		assertThat(metric("trakr.auth.token.lookups") - before).isBetween(2.0, 4.0);
	}

	@Test
	void anAddressGuessingTokensIsThrottledWhileKnownTokensStillWork() {
		OrgToken valid = this.admin.createOrgWithToken("pro");
		assertThat(this.api.get("/api/workflows", "Bearer " + valid.token()).statusCode()).isEqualTo(200);
		double lookupsBefore = metric("trakr.auth.token.lookups");

		int unauthorized = 0;
		HttpResponse<String> refused = null;
		for (int i = 0; i < 100; i++) {
			HttpResponse<String> response = this.api.get("/api/workflows", "Bearer " + ReadToken.generate());
			if (response.statusCode() == 401) {
				unauthorized++;
			}
			else {
				refused = response;
			}
		}

		assertThat(unauthorized).isEqualTo(FailedAuthentications.BUDGET);
		assertThat(refused).isNotNull();
		assertCode(refused, 429, "rate_limited");
		assertThat(JSON.readTree(refused.body()).get("error").asString()).contains("failed authentications");
		assertThat(refused.headers().firstValue("Retry-After"))
			.hasValueSatisfying((seconds) -> assertThat(Long.parseLong(seconds)).isBetween(1L,
					FailedAuthentications.WINDOW.toSeconds()));
		assertThat(metric("trakr.auth.token.lookups") - lookupsBefore).isEqualTo(FailedAuthentications.BUDGET);
		assertThat(metric("trakr.auth.throttled")).isEqualTo(100 - FailedAuthentications.BUDGET);
		assertThat(this.api.get("/api/workflows", "Bearer " + valid.token()).statusCode()).isEqualTo(200);
	}

	private static void assertCode(HttpResponse<String> response, int status, String code) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(JSON.readTree(response.body()).get("code").asString()).isEqualTo(code);
	}

	private double metric(String name) {
		JsonNode body = JSON.readTree(this.api.management("/actuator/metrics/" + name).body());
		return body.path("measurements").get(0).path("value").asDouble();
	}

}
