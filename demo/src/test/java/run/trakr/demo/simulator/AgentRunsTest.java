package run.trakr.demo.simulator;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import run.trakr.schema.event.DecodeResult;
import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.AlertResolved;
import run.trakr.schema.event.IngestEvent.RunEvent;
import run.trakr.schema.event.IngestEventDecoder;
import run.trakr.schema.event.IngestEventEncoder;

import static org.assertj.core.api.Assertions.assertThat;

/** What the demo publishes is what the projector accepts, keyed as SDKs key it. */
class AgentRunsTest {

	@Test
	void everyEventDecodesUnderTheContractAndIsKeyedByItsRunOrAlert() {
		Instant start = Instant.parse("2026-11-20T00:00:00Z");
		UUID org = UUID.randomUUID();
		AgentRuns runs = new AgentRuns(org, new Random(11));
		IngestEventDecoder decoder = new IngestEventDecoder(Clock.fixed(start.plusSeconds(86400), ZoneOffset.UTC));
		Set<String> types = new HashSet<>();
		for (int i = 0; i < 300; i++) {
			for (TimedEvent timed : runs.run(start.plusSeconds(60L * i))) {
				DecodeResult result = decoder.decode(timed.json().getBytes(StandardCharsets.UTF_8));
				assertThat(result).as(timed.json()).isInstanceOf(DecodeResult.Accepted.class);
				IngestEvent event = ((DecodeResult.Accepted) result).event();
				types.add(IngestEventEncoder.type(event));
				assertThat(event.envelope().orgId()).isEqualTo(org);
				String key = (event instanceof RunEvent runEvent) ? runEvent.runId().toString()
						: (event instanceof AlertResolved resolved) ? resolved.alertEventId().toString()
								: ((IngestEvent.AlertFired) event).alertEventId().toString();
				assertThat(timed.key()).isEqualTo(key);
			}
		}
		assertThat(types).containsExactlyInAnyOrder("run_started", "llm_call", "tool_use", "run_ended", "alert_fired",
				"alert_resolved");
	}

}
