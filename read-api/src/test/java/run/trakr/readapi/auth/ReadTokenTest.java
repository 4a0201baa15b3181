package run.trakr.readapi.auth;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReadTokenTest {

	@Test
	void generatedTokensAreWellFormedAndDistinct() {
		Set<String> tokens = new HashSet<>();
		for (int i = 0; i < 1000; i++) {
			String token = ReadToken.generate();
			assertThat(token).matches("tk_read_[0-9a-f]{32}");
			assertThat(ReadToken.isWellFormed(token)).isTrue();
			tokens.add(token);
		}
		assertThat(tokens).hasSize(1000);
	}

	@Test
	void rejectsAnythingButLowercaseHexOfTheRightLength() {
		assertThat(ReadToken.isWellFormed("tk_read_0123456789ABCDEF0123456789abcdef")).isFalse();
		assertThat(ReadToken.isWellFormed("tk_read_0123456789abcdef0123456789abcde")).isFalse();
		assertThat(ReadToken.isWellFormed("tk_read_0123456789abcdef0123456789abcdef0")).isFalse();
		assertThat(ReadToken.isWellFormed("tk_live_0123456789abcdef0123456789abcdef")).isFalse();
		assertThat(ReadToken.isWellFormed("tk_read_0123456789abcdeg0123456789abcdef")).isFalse();
		assertThat(ReadToken.isWellFormed("tk_read_0123456789abcdef0123456789abcde/")).isFalse();
		assertThat(ReadToken.isWellFormed("tk_read:0123456789abcdef0123456789abcdef")).isFalse();
	}

	@Test
	void hashIsSha256HexAndPrefixRevealsFourCharacters() {
		// sha256("tk_read_00000000000000000000000000000000"), computed with sha256sum
		assertThat(ReadToken.hash("tk_read_00000000000000000000000000000000"))
			.isEqualTo("178a21711e2e89ba73668a27a93a58e4d3e50362c42c27cdd3bd268782d26948");
		assertThat(ReadToken.displayPrefix("tk_read_abcdef0123456789abcdef0123456789")).isEqualTo("tk_read_abcd…");
	}

}
