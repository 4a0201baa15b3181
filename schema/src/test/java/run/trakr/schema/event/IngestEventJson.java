package run.trakr.schema.event;

import java.nio.charset.StandardCharsets;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Valid example records of every event type, to be decoded as they are or spoiled. */
final class IngestEventJson {

	static final String EVENT_ID = "0b7e2f0e-8d4c-4a53-9a58-2c1e6f3a9d10";

	static final String ORG_ID = "5f0c5f7e-1d3a-4c1e-8b55-7a0f1e2d3c4b";

	static final String RUN_ID = "9d2c1b0a-4e5f-4a6b-8c7d-0e1f2a3b4c5d";

	static final String PARENT_RUN_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

	static final String CALL_ID = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";

	static final String TOOL_EVENT_ID = "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a";

	static final String ALERT_EVENT_ID = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private IngestEventJson() {
	}

	static ObjectNode runStarted() {
		ObjectNode event = envelope("run_started");
		event.putObject("data")
			.put("run_id", RUN_ID)
			.put("workflow_name", "support-triage")
			.put("started_at", "2026-11-28T14:00:00.123Z")
			.put("run_id_external", "ticket-4711")
			.put("parent_run_id", PARENT_RUN_ID);
		return event;
	}

	static ObjectNode llmCall() {
		ObjectNode event = envelope("llm_call");
		event.putObject("data")
			.put("run_id", RUN_ID)
			.put("call_id", CALL_ID)
			.put("model", "gpt-4o-mini")
			.put("provider", "openai")
			.put("input_tokens", 1200)
			.put("output_tokens", 350)
			.put("cost_usd", "0.0000125")
			.put("latency_ms", 840)
			.put("started_at", "2026-11-28T14:00:01Z");
		return event;
	}

	static ObjectNode toolUse() {
		ObjectNode event = envelope("tool_use");
		event.putObject("data")
			.put("run_id", RUN_ID)
			.put("tool_event_id", TOOL_EVENT_ID)
			.put("tool_name", "web_search")
			.put("status", "error")
			.put("duration_ms", 1500)
			.put("started_at", "2026-11-28T14:00:02+01:00");
		return event;
	}

	static ObjectNode runEnded() {
		ObjectNode event = envelope("run_ended");
		event.putObject("data")
			.put("run_id", RUN_ID)
			.put("status", "loop_detected")
			.put("ended_at", "2026-11-28T14:05:00Z");
		return event;
	}

	static ObjectNode alertFired() {
		ObjectNode event = envelope("alert_fired");
		event.putObject("data")
			.put("alert_event_id", ALERT_EVENT_ID)
			.put("alert_rule_id", "rule-cost-spike")
			.put("alert_rule_name", "Cost spike")
			.put("run_id", RUN_ID)
			.put("workflow_name", "support-triage")
			.put("triggered_value", 12.5)
			.put("threshold_value", 10)
			.put("notification_sent", true)
			.put("fired_at", "2026-11-28T14:06:00Z");
		return event;
	}

	static ObjectNode alertResolved() {
		ObjectNode event = envelope("alert_resolved");
		event.putObject("data").put("alert_event_id", ALERT_EVENT_ID).put("resolved_at", "2026-11-28T15:00:00Z");
		return event;
	}

	static ObjectNode data(ObjectNode event) {
		return (ObjectNode) event.get("data");
	}

	static byte[] bytes(ObjectNode event) {
		return JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8);
	}

	private static ObjectNode envelope(String type) {
		return JSON.createObjectNode()
			.put("event_id", EVENT_ID)
			.put("type", type)
			.put("org_id", ORG_ID)
			.put("occurred_at", "2026-11-28T14:00:00.123Z");
	}

}
