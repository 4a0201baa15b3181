package run.trakr.schema.event;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schematest.support.IngestPopulation;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The encoder against the contract's own examples (written out by hand, not by the
 * encoder) and against the decoder: whatever it writes decodes to the event it was given.
 */
class IngestEventEncoderTest {

	private static final Instant NOW = Instant.parse("2026-11-28T15:00:00Z");

	private final IngestEventDecoder decoder = new IngestEventDecoder(Clock.fixed(NOW, ZoneOffset.UTC));

	static Stream<Supplier<ObjectNode>> examples() {
		return Stream.of(IngestEventJson::runStarted, IngestEventJson::llmCall, IngestEventJson::toolUse,
				IngestEventJson::runEnded, IngestEventJson::alertFired, IngestEventJson::alertResolved);
	}

	@ParameterizedTest
	@MethodSource("examples")
	void writesTheContractsFieldNamesAndDecodesToTheSameEvent(Supplier<ObjectNode> example) {
		IngestEvent event = decode(IngestEventJson.bytes(example.get()));
		ObjectNode written = IngestEventEncoder.toTree(event);
		assertThat(fieldPaths(written)).containsAll(fieldPaths(example.get()));
		assertThat(written.get("type")).isEqualTo(example.get().get("type"));
		assertThat(decode(IngestEventEncoder.toJson(event).getBytes(StandardCharsets.UTF_8))).isEqualTo(event);
	}

	@Test
	void leavesAbsentOptionalFieldsOut() {
		ObjectNode example = IngestEventJson.runStarted();
		IngestEventJson.data(example).remove(List.of("run_id_external", "parent_run_id"));
		ObjectNode written = IngestEventEncoder.toTree(decode(IngestEventJson.bytes(example)));
		assertThat(fieldPaths(written)).doesNotContain("data.run_id_external", "data.parent_run_id");
	}

	/**
	 * Timestamps keep every digit the instant has, as an SDK's nanosecond clock writes
	 * them; the decoder, not the encoder, cuts them to the microsecond.
	 */
	@Test
	void writesEveryDigitOfAnInstant() {
		ObjectNode example = IngestEventJson.runEnded();
		RunEnded ended = (RunEnded) decode(IngestEventJson.bytes(example));
		RunEnded nanos = new RunEnded(ended.envelope(), ended.runId(), ended.status(),
				Instant.parse("2026-11-28T14:05:00.000999391Z"));
		assertThat(IngestEventEncoder.toTree(nanos).get("data").get("ended_at").stringValue())
			.isEqualTo("2026-11-28T14:05:00.000999391Z");
	}

	/**
	 * Every record of a generated population (every type, optional or not) round-trips.
	 */
	@Test
	void aGeneratedPopulationDecodesToWhatWasEncoded() {
		IngestEventDecoder lenient = new IngestEventDecoder(
				Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
		Set<String> types = new HashSet<>();
		for (IngestPopulation.Record record : IngestPopulation.generate(7L, 200).shuffled(1)) {
			DecodeResult result = lenient.decode(record.value().getBytes(StandardCharsets.UTF_8));
			assertThat(result).as(record.value()).isInstanceOf(DecodeResult.Accepted.class);
			IngestEvent event = ((DecodeResult.Accepted) result).event();
			types.add(IngestEventEncoder.type(event));
			assertThat(lenient.decode(IngestEventEncoder.toJson(event).getBytes(StandardCharsets.UTF_8)))
				.isEqualTo(result);
		}
		assertThat(types).containsExactlyInAnyOrder("run_started", "llm_call", "tool_use", "run_ended", "alert_fired",
				"alert_resolved");
	}

	private IngestEvent decode(byte[] value) {
		DecodeResult result = this.decoder.decode(value);
		assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
		return ((DecodeResult.Accepted) result).event();
	}

	private static Set<String> fieldPaths(JsonNode node) {
		Set<String> paths = new HashSet<>();
		node.properties().forEach(field -> {
			paths.add(field.getKey());
			if (field.getValue().isObject()) {
				fieldPaths(field.getValue()).forEach(inner -> paths.add(field.getKey() + "." + inner));
			}
		});
		return paths;
	}

}
