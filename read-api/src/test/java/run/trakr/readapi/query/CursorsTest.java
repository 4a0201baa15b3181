package run.trakr.readapi.query;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import run.trakr.readapi.system.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CursorsTest {

	@Test
	void startupRefusesAPublicOrShortSecretOutsideTheLocalProfile() {
		for (String secret : List.of("", "short-secret", "local-development-cursor-secret",
				"change-me-compose-cursor-secret")) {
			assertThatIllegalStateException().isThrownBy(() -> new Cursors(secret, new MockEnvironment()))
				.withMessageContaining("TRAKR_CURSOR_SECRET");
		}
		MockEnvironment local = new MockEnvironment();
		local.setActiveProfiles("local");
		assertThat(new Cursors("local-development-cursor-secret", local)).isNotNull();
	}

	@Test
	void aCursorIsValidOnlyForTheOrgAndQueryItWasIssuedFor() {
		Cursors cursors = new Cursors("a-secret-of-our-own-0123456789", new MockEnvironment());
		UUID org = UUID.randomUUID();
		String cursor = cursors.encode(org, "query", List.of("a", "b"));

		assertThat(cursors.decode(cursor, org, "query", 2)).containsExactly("a", "b");
		assertThatThrownBy(() -> cursors.decode(cursor, UUID.randomUUID(), "query", 2))
			.isInstanceOf(ApiException.class);
		assertThatThrownBy(() -> cursors.decode(cursor, org, "other", 2)).isInstanceOf(ApiException.class);
	}

	@Test
	void fingerprintsOfDifferentFiltersDiffer() {
		assertThat(Cursors.fingerprint("runs", List.of("a,b")))
			.isNotEqualTo(Cursors.fingerprint("runs", List.of("a", "b")));
		assertThat(Cursors.fingerprint("runs", List.of("a"), "x"))
			.isNotEqualTo(Cursors.fingerprint("runs", List.of("a\n|\nx")));
	}

}
