package run.trakr.demo.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

/**
 * Makes up agent runs the way SDKs report them: a {@code run_started}, LLM calls and tool
 * uses in sequence, sometimes child runs (two levels deep), a {@code run_ended} with
 * success, error, loop or timeout, alerts on costly, looping or timed-out runs (most
 * resolved later), and now and then an SDK retry that sends an event twice.
 */
public final class AgentRuns {

	/** What a workflow's runs look like. Prices are USD per 1,000 tokens. */
	public record Workflow(String name, int weight, String model, String provider, String inputPrice,
			String outputPrice, List<String> tools, int minCalls, int maxCalls, double errorRate, double loopRate,
			double timeoutRate, String childWorkflow, double childRate) {
		// childRate: how many child runs a run starts, on average.
	}

	/**
	 * Names with a slash, a space and non-ASCII letters: they must survive as path
	 * segments.
	 */
	static final List<Workflow> WORKFLOWS = List.of(
			new Workflow("support-triage", 30, "gpt-4o-mini", "openai", "0.00015", "0.0006",
					List.of("search_kb", "create_ticket", "send_email"), 2, 6, 0.05, 0.01, 0.01, null, 0),
			new Workflow("code-review", 20, "claude-sonnet-4", "anthropic", "0.003", "0.015",
					List.of("git_diff", "run_tests", "post_comment"), 3, 10, 0.08, 0.03, 0.02, "test-fixer", 0.2),
			new Workflow("research/deep-dive", 10, "gpt-4o", "openai", "0.0025", "0.01",
					List.of("web_search", "fetch_url"), 4, 12, 0.10, 0.05, 0.04, "web researcher", 2.0),
			new Workflow("invoice extraction", 15, "gpt-4o-mini", "openai", "0.00015", "0.0006",
					List.of("ocr", "validate_vat"), 1, 4, 0.03, 0.0, 0.01, null, 0),
			new Workflow("résumé-screener", 10, "claude-haiku-3.5", "anthropic", "0.0008", "0.004",
					List.of("parse_pdf", "score_candidate"), 1, 3, 0.02, 0.0, 0.0, null, 0),
			new Workflow("sql-agent", 15, "gpt-4.1", "openai", "0.002", "0.008", List.of("run_query", "explain_plan"),
					2, 8, 0.12, 0.02, 0.02, null, 0),
			// Only ever started by other runs.
			new Workflow("test-fixer", 0, "claude-sonnet-4", "anthropic", "0.003", "0.015",
					List.of("run_tests", "apply_patch"), 2, 6, 0.15, 0.02, 0.02, null, 0),
			new Workflow("web researcher", 0, "gpt-4o-mini", "openai", "0.00015", "0.0006",
					List.of("web_search", "fetch_url"), 1, 5, 0.05, 0.0, 0.01, "page summarizer", 0.5),
			new Workflow("page summarizer", 0, "gpt-4o-mini", "openai", "0.00015", "0.0006", List.of(), 1, 2, 0.02, 0.0,
					0.0, null, 0));

	/** A run longer than this is ended by the SDK as a timeout. */
	static final Duration TIMEOUT = Duration.ofMinutes(5);

	private static final BigDecimal COST_ALERT_USD = new BigDecimal("0.25");

	private static final int LOOP_ALERT_CALLS = 20;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final UUID org;

	private final Random random;

	private final List<Workflow> workflows;

	private final int totalWeight;

	public AgentRuns(UUID org, Random random) {
		this(org, random, WORKFLOWS);
	}

	/** Runs of the given workflows (children named by a workflow must be among them). */
	public AgentRuns(UUID org, Random random, List<Workflow> workflows) {
		this.org = org;
		this.random = random;
		this.workflows = workflows;
		this.totalWeight = workflows.stream().mapToInt(Workflow::weight).sum();
	}

	/** A top-level run of a randomly chosen workflow, with everything it leads to. */
	public List<TimedEvent> run(Instant startedAt) {
		int pick = this.random.nextInt(this.totalWeight);
		for (Workflow workflow : this.workflows) {
			pick -= workflow.weight();
			if (pick < 0) {
				List<TimedEvent> events = new ArrayList<>();
				run(workflow, null, startedAt, 0, events);
				return events;
			}
		}
		throw new IllegalStateException("weights");
	}

	private Instant run(Workflow workflow, UUID parent, Instant start, int depth, List<TimedEvent> events) {
		UUID runId = UUID.randomUUID();
		// SDK clocks tick finer than milliseconds: every run starts at some nanosecond.
		Instant startedAt = start.plusNanos(this.random.nextInt(1_000_000));
		Map<String, Object> started = new LinkedHashMap<>();
		started.put("run_id", runId.toString());
		started.put("workflow_name", workflow.name());
		started.put("started_at", startedAt.toString());
		if (this.random.nextInt(3) == 0) {
			started.put("run_id_external", "req-" + Integer.toHexString(this.random.nextInt()));
		}
		if (parent != null) {
			started.put("parent_run_id", parent.toString());
		}
		emit(events, startedAt, runId.toString(), "run_started", started);

		double outcome = this.random.nextDouble();
		String status = outcome < workflow.loopRate() ? "loop_detected"
				: outcome < workflow.loopRate() + workflow.timeoutRate() ? "timeout"
						: outcome < workflow.loopRate() + workflow.timeoutRate() + workflow.errorRate() ? "error"
								: "success";
		int calls = workflow.minCalls() + this.random.nextInt(workflow.maxCalls() - workflow.minCalls() + 1);
		if (status.equals("loop_detected")) {
			calls = LOOP_ALERT_CALLS + this.random.nextInt(10);
		}
		Instant deadline = startedAt.plus(TIMEOUT);
		Instant now = startedAt.plusMillis(20 + this.random.nextInt(200));
		BigDecimal cost = BigDecimal.ZERO;
		int made = 0;
		for (int i = 0; i < calls || status.equals("timeout"); i++) {
			if (now.isAfter(deadline)) {
				break;
			}
			boolean lastCall = i == calls - 1;
			cost = cost.add(llmCall(workflow, runId, now, status.equals("error") && lastCall, events));
			now = now.plusMillis(latency(workflow));
			made++;
			if (!workflow.tools().isEmpty() && this.random.nextInt(10) < 6) {
				now = toolUse(workflow, runId, now, status.equals("error") && lastCall, events);
			}
			// childRate children per run on average, started between calls.
			if (workflow.childWorkflow() != null && depth < 2
					&& this.random.nextDouble() * calls < workflow.childRate()) {
				Workflow child = this.workflows.stream()
					.filter(w -> w.name().equals(workflow.childWorkflow()))
					.findFirst()
					.orElseThrow();
				// The parent waits for its child.
				now = run(child, runId, now, depth + 1, events).plusMillis(50);
			}
			if (status.equals("timeout")) {
				now = now.plusSeconds(20 + this.random.nextInt(40));
			}
		}
		Instant endedAt = (status.equals("timeout") ? deadline : now.plusMillis(30))
			.plusNanos(this.random.nextInt(1_000_000));
		Map<String, Object> ended = new LinkedHashMap<>();
		ended.put("run_id", runId.toString());
		ended.put("status", status);
		ended.put("ended_at", endedAt.toString());
		emit(events, endedAt, runId.toString(), "run_ended", ended);
		alerts(workflow, runId, status, cost, made, endedAt, events);
		return endedAt;
	}

	private BigDecimal llmCall(Workflow workflow, UUID runId, Instant startedAt, boolean fails,
			List<TimedEvent> events) {
		int input = 300 + this.random.nextInt(4000);
		int output = fails ? 0 : 50 + this.random.nextInt(1200);
		BigDecimal cost = new BigDecimal(workflow.inputPrice()).multiply(BigDecimal.valueOf(input))
			.add(new BigDecimal(workflow.outputPrice()).multiply(BigDecimal.valueOf(output)))
			.divide(BigDecimal.valueOf(1000), 10, RoundingMode.HALF_UP)
			.stripTrailingZeros();
		int latency = latency(workflow);
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("run_id", runId.toString());
		data.put("call_id", UUID.randomUUID().toString());
		data.put("model", workflow.model());
		data.put("provider", workflow.provider());
		data.put("input_tokens", input);
		data.put("output_tokens", output);
		data.put("cost_usd", cost.toPlainString());
		data.put("latency_ms", latency);
		data.put("started_at", startedAt.toString());
		data.put("status", fails ? "error" : "success");
		emit(events, startedAt.plusMillis(latency), runId.toString(), "llm_call", data);
		return cost;
	}

	private Instant toolUse(Workflow workflow, UUID runId, Instant startedAt, boolean fails, List<TimedEvent> events) {
		int duration = 20 + this.random.nextInt(this.random.nextInt(10) == 0 ? 8000 : 1500);
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("run_id", runId.toString());
		data.put("tool_event_id", UUID.randomUUID().toString());
		data.put("tool_name", workflow.tools().get(this.random.nextInt(workflow.tools().size())));
		data.put("status", fails || this.random.nextInt(25) == 0 ? "error" : "success");
		data.put("duration_ms", duration);
		data.put("started_at", startedAt.toString());
		Instant endedAt = startedAt.plusMillis(duration);
		emit(events, endedAt, runId.toString(), "tool_use", data);
		return endedAt;
	}

	private void alerts(Workflow workflow, UUID runId, String status, BigDecimal cost, int calls, Instant endedAt,
			List<TimedEvent> events) {
		if (cost.compareTo(COST_ALERT_USD) > 0) {
			alert("rule_cost_spike", "Run cost above $" + COST_ALERT_USD, workflow, runId, cost.doubleValue(),
					COST_ALERT_USD.doubleValue(), endedAt, events);
		}
		if (status.equals("loop_detected")) {
			alert("rule_loop", "Agent loop detected", workflow, runId, calls, LOOP_ALERT_CALLS, endedAt, events);
		}
		if (status.equals("timeout")) {
			alert("rule_timeout", "Run timed out", workflow, runId, TIMEOUT.toSeconds(), TIMEOUT.toSeconds(), endedAt,
					events);
		}
	}

	private void alert(String ruleId, String ruleName, Workflow workflow, UUID runId, double triggered,
			double threshold, Instant endedAt, List<TimedEvent> events) {
		String alertId = UUID.randomUUID().toString();
		Instant firedAt = endedAt.plusMillis(500 + this.random.nextInt(5000));
		Map<String, Object> fired = new LinkedHashMap<>();
		fired.put("alert_event_id", alertId);
		fired.put("alert_rule_id", ruleId);
		fired.put("alert_rule_name", ruleName);
		fired.put("run_id", runId.toString());
		fired.put("workflow_name", workflow.name());
		fired.put("triggered_value", triggered);
		fired.put("threshold_value", threshold);
		fired.put("notification_sent", this.random.nextInt(5) != 0);
		fired.put("fired_at", firedAt.toString());
		emit(events, firedAt, alertId, "alert_fired", fired);
		if (this.random.nextInt(10) < 7) {
			Instant resolvedAt = firedAt.plusSeconds(60 + this.random.nextInt(2 * 3600));
			emit(events, resolvedAt, alertId, "alert_resolved",
					Map.of("alert_event_id", alertId, "resolved_at", resolvedAt.toString()));
		}
	}

	private int latency(Workflow workflow) {
		return 300 + this.random.nextInt(workflow.model().contains("mini") ? 1500 : 5000);
	}

	private void emit(List<TimedEvent> events, Instant at, String key, String type, Map<String, Object> data) {
		Map<String, Object> envelope = new LinkedHashMap<>();
		envelope.put("event_id", UUID.randomUUID().toString());
		envelope.put("type", type);
		envelope.put("org_id", this.org.toString());
		envelope.put("occurred_at", at.toString());
		envelope.put("data", data);
		TimedEvent event = new TimedEvent(at, key, JSON.writeValueAsString(envelope));
		events.add(event);
		if (this.random.nextInt(100) == 0) {
			// An SDK retry: the same event again, a moment later.
			events.add(new TimedEvent(at.plusMillis(800), key, event.json()));
		}
	}

}
