package run.trakr.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import run.trakr.schema.event.IngestEvent.EndStatus;

import static org.assertj.core.api.Assertions.assertThat;

class RunStatusTest {

	@Test
	void theStoredTextsAreTheOnesTheRunsTableAccepts() throws IOException {
		try (InputStream migration = getClass().getResourceAsStream("/db/migration/V2__runs_calls_tools.sql")) {
			String sql = new String(migration.readAllBytes(), StandardCharsets.UTF_8);
			Matcher check = Pattern.compile("CHECK \\(status IN \\(([^)]*)\\)\\)").matcher(sql);
			assertThat(check.find()).isTrue();
			List<String> accepted = Arrays.stream(check.group(1).split(","))
				.map(s -> s.strip().replace("'", ""))
				.toList();
			assertThat(RunStatus.storedValues()).containsExactlyElementsOf(accepted);
		}
	}

	@Test
	void failedAreTheEndsOtherThanSuccess() {
		assertThat(Arrays.stream(RunStatus.values()).filter(RunStatus::failed)).containsExactly(RunStatus.ERROR,
				RunStatus.LOOP_DETECTED, RunStatus.TIMEOUT);
		assertThat(Arrays.stream(RunStatus.values()).filter(RunStatus::completed)).doesNotContain(RunStatus.RUNNING)
			.hasSize(4);
	}

	@Test
	void everyEndOfARunEndedEventIsAStatusWithItsText() {
		for (EndStatus end : EndStatus.values()) {
			assertThat(RunStatus.of(end).completed()).isTrue();
			assertThat(RunStatus.of(RunStatus.of(end).stored())).isEqualTo(RunStatus.of(end));
		}
		assertThat(RunStatus.of("loop_detected")).isEqualTo(RunStatus.LOOP_DETECTED);
	}

}
