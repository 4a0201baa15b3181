package run.trakr.readapi.ratelimit;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.filter.OncePerRequestFilter;

import run.trakr.readapi.auth.Caller;
import run.trakr.readapi.system.ApiErrorResponder;
import run.trakr.readapi.system.ErrorCode;

/**
 * At most {@code permits} requests of one org run at once on this replica; more wait up
 * to {@code wait} for a turn, then get a 429. The per-token quota bounds how many
 * requests an org makes per minute, not how many run at the same time: without this one
 * org's parallel long-window requests could hold every worker thread and database
 * connection while other orgs' requests queue behind them.
 */
class OrgConcurrencyLimit extends OncePerRequestFilter {

	private final int permits;

	private final long waitNanos;

	private final ApiErrorResponder errors;

	private final Map<UUID, Semaphore> running = new ConcurrentHashMap<>();

	private final Counter refused;

	OrgConcurrencyLimit(RateLimitProperties properties, ApiErrorResponder errors, MeterRegistry meters) {
		this.permits = properties.concurrentRequestsPerOrg();
		this.waitNanos = properties.concurrencyWait().toNanos();
		this.errors = errors;
		this.refused = Counter.builder("trakr.ratelimit.concurrency.refused")
			.description("Requests refused with 429 because their org had the most requests running at once")
			.register(meters);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!(request.getAttribute(Caller.ATTRIBUTE) instanceof Caller caller)) {
			chain.doFilter(request, response);
			return;
		}
		Semaphore org = this.running.computeIfAbsent(caller.orgId(), (id) -> new Semaphore(this.permits));
		boolean admitted;
		try {
			admitted = org.tryAcquire(this.waitNanos, TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			admitted = false;
		}
		if (!admitted) {
			this.refused.increment();
			response.setHeader(HttpHeaders.RETRY_AFTER, "1");
			this.errors.write(response, ErrorCode.TOO_MANY_CONCURRENT_REQUESTS);
			return;
		}
		try {
			chain.doFilter(request, response);
		}
		finally {
			org.release();
		}
	}

	/** Forgets orgs with nothing running, so memory follows active orgs only. */
	@Scheduled(fixedDelay = 60_000)
	void forgetIdle() {
		this.running.values().removeIf((org) -> org.availablePermits() == this.permits && !org.hasQueuedThreads());
	}

}
