package run.trakr.demo.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import run.trakr.schema.event.IngestEvent;
import run.trakr.schema.event.IngestEvent.AlertFired;
import run.trakr.schema.event.IngestEvent.AlertResolved;
import run.trakr.schema.event.IngestEvent.CallStatus;
import run.trakr.schema.event.IngestEvent.EndStatus;
import run.trakr.schema.event.IngestEvent.Envelope;
import run.trakr.schema.event.IngestEvent.LlmCallRecorded;
import run.trakr.schema.event.IngestEvent.RunEnded;
import run.trakr.schema.event.IngestEvent.RunStarted;
import run.trakr.schema.event.IngestEvent.ToolUsed;
import run.trakr.schema.event.IngestEventEncoder;

import static run.trakr.schema.event.IngestEvent.CallStatus.ERROR;
import static run.trakr.schema.event.IngestEvent.CallStatus.SUCCESS;

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
		Optional<String> external = (this.random.nextInt(3) == 0)
				? Optional.of("req-" + Integer.toHexString(this.random.nextInt())) : Optional.empty();
		emit(events, startedAt, new RunStarted(envelope(startedAt), runId, workflow.name(), startedAt, external,
				Optional.ofNullable(parent)));

		double outcome = this.random.nextDouble();
		EndStatus status = outcome < workflow.loopRate() ? EndStatus.LOOP_DETECTED
				: outcome < workflow.loopRate() + workflow.timeoutRate() ? EndStatus.TIMEOUT
						: outcome < workflow.loopRate() + workflow.timeoutRate() + workflow.errorRate()
								? EndStatus.ERROR : EndStatus.SUCCESS;
		int calls = workflow.minCalls() + this.random.nextInt(workflow.maxCalls() - workflow.minCalls() + 1);
		if (status == EndStatus.LOOP_DETECTED) {
			calls = LOOP_ALERT_CALLS + this.random.nextInt(10);
		}
		Instant deadline = startedAt.plus(TIMEOUT);
		Instant now = startedAt.plusMillis(20 + this.random.nextInt(200));
		BigDecimal cost = BigDecimal.ZERO;
		int made = 0;
		for (int i = 0; i < calls || status == EndStatus.TIMEOUT; i++) {
			if (now.isAfter(deadline)) {
				break;
			}
			boolean lastCall = i == calls - 1;
			cost = cost.add(llmCall(workflow, runId, now, status == EndStatus.ERROR && lastCall, events));
			now = now.plusMillis(latency(workflow));
			made++;
			if (!workflow.tools().isEmpty() && this.random.nextInt(10) < 6) {
				now = toolUse(workflow, runId, now, status == EndStatus.ERROR && lastCall, events);
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
			if (status == EndStatus.TIMEOUT) {
				now = now.plusSeconds(20 + this.random.nextInt(40));
			}
		}
		Instant endedAt = (status == EndStatus.TIMEOUT ? deadline : now.plusMillis(30))
			.plusNanos(this.random.nextInt(1_000_000));
		emit(events, endedAt, new RunEnded(envelope(endedAt), runId, status, endedAt));
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
		Instant at = startedAt.plusMillis(latency);
		emit(events, at, new LlmCallRecorded(envelope(at), runId, UUID.randomUUID(), workflow.model(),
				Optional.of(workflow.provider()), input, output, cost, latency, startedAt, fails ? ERROR : SUCCESS));
		return cost;
	}

	private Instant toolUse(Workflow workflow, UUID runId, Instant startedAt, boolean fails, List<TimedEvent> events) {
		int duration = 20 + this.random.nextInt(this.random.nextInt(10) == 0 ? 8000 : 1500);
		String tool = workflow.tools().get(this.random.nextInt(workflow.tools().size()));
		CallStatus status = (fails || this.random.nextInt(25) == 0) ? ERROR : SUCCESS;
		Instant endedAt = startedAt.plusMillis(duration);
		emit(events, endedAt,
				new ToolUsed(envelope(endedAt), runId, UUID.randomUUID(), tool, status, duration, startedAt));
		return endedAt;
	}

	private void alerts(Workflow workflow, UUID runId, EndStatus status, BigDecimal cost, int calls, Instant endedAt,
			List<TimedEvent> events) {
		if (cost.compareTo(COST_ALERT_USD) > 0) {
			alert("rule_cost_spike", "Run cost above $" + COST_ALERT_USD, workflow, runId, cost.doubleValue(),
					COST_ALERT_USD.doubleValue(), endedAt, events);
		}
		if (status == EndStatus.LOOP_DETECTED) {
			alert("rule_loop", "Agent loop detected", workflow, runId, calls, LOOP_ALERT_CALLS, endedAt, events);
		}
		if (status == EndStatus.TIMEOUT) {
			alert("rule_timeout", "Run timed out", workflow, runId, TIMEOUT.toSeconds(), TIMEOUT.toSeconds(), endedAt,
					events);
		}
	}

	private void alert(String ruleId, String ruleName, Workflow workflow, UUID runId, double triggered,
			double threshold, Instant endedAt, List<TimedEvent> events) {
		UUID alertId = UUID.randomUUID();
		Instant firedAt = endedAt.plusMillis(500 + this.random.nextInt(5000));
		boolean notified = this.random.nextInt(5) != 0;
		emit(events, firedAt,
				new AlertFired(envelope(firedAt), alertId, ruleId, ruleName, Optional.of(runId),
						Optional.of(workflow.name()), BigDecimal.valueOf(triggered), BigDecimal.valueOf(threshold),
						notified, firedAt));
		if (this.random.nextInt(10) < 7) {
			Instant resolvedAt = firedAt.plusSeconds(60 + this.random.nextInt(2 * 3600));
			emit(events, resolvedAt, new AlertResolved(envelope(resolvedAt), alertId, resolvedAt));
		}
	}

	private int latency(Workflow workflow) {
		return 300 + this.random.nextInt(workflow.model().contains("mini") ? 1500 : 5000);
	}

	private Envelope envelope(Instant occurredAt) {
		return new Envelope(UUID.randomUUID(), this.org, occurredAt);
	}

	/** Keyed by the run, an alert by its own id, as SDKs key them. */
	private void emit(List<TimedEvent> events, Instant at, IngestEvent ingestEvent) {
		String key = IngestEventEncoder.key(ingestEvent);
		TimedEvent event = new TimedEvent(at, key, IngestEventEncoder.toJson(ingestEvent));
		events.add(event);
		if (this.random.nextInt(100) == 0) {
			// An SDK retry: the same event again, a moment later.
			events.add(new TimedEvent(at.plusMillis(800), key, event.json()));
		}
	}

}
