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
import run.trakr.readapi.query.RawQuery;
import run.trakr.readapi.system.ApiErrorResponder;
import run.trakr.readapi.system.ErrorCode;

/**
 * At most {@code permits} requests of one org run at once on this replica, and of those
 * at most {@code expensivePermits} whose cost grows with the org's run rows (counts under
 * a cost filter, minute series); more wait up to {@code wait} for a turn, then get a 429.
 * The per-token quota bounds how many requests an org makes per minute, not how many run
 * at the same time: without this, one org's parallel heavy requests took every database
 * connection and other orgs got 503s (BENCHMARKS.md, "hostile input").
 */
class OrgConcurrencyLimit extends OncePerRequestFilter {

	private final int permits;

	private final int expensivePermits;

	private final long waitNanos;

	private final ApiErrorResponder errors;

	private final Map<UUID, Semaphore> running = new ConcurrentHashMap<>();

	private final Map<UUID, Semaphore> runningExpensive = new ConcurrentHashMap<>();

	private final Counter refused;

	OrgConcurrencyLimit(RateLimitProperties properties, ApiErrorResponder errors, MeterRegistry meters) {
		this.permits = properties.concurrentRequestsPerOrg();
		this.expensivePermits = properties.concurrentExpensiveRequestsPerOrg();
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
		Semaphore expensive = isExpensive(request)
				? this.runningExpensive.computeIfAbsent(caller.orgId(), (id) -> new Semaphore(this.expensivePermits))
				: null;
		long deadline = System.nanoTime() + this.waitNanos;
		if (!acquire(org, deadline)) {
			refuse(response);
			return;
		}
		try {
			if (expensive != null && !acquire(expensive, deadline)) {
				refuse(response);
				return;
			}
			try {
				chain.doFilter(request, response);
			}
			finally {
				if (expensive != null) {
					expensive.release();
				}
			}
		}
		finally {
			org.release();
		}
	}

	/**
	 * A request whose cost grows with the org's run rows rather than with its rollups: a
	 * run count under a cost filter, a series finer than the rollups, an export of runs.
	 */
	static boolean isExpensive(HttpServletRequest request) {
		// From the raw query string: asking Tomcat for a parameter would parse the query
		// here, and a query it refuses would then reach the handler as if it were fine.
		String path = request.getRequestURI();
		String query = request.getQueryString();
		return (path.equals("/api/runs") && (RawQuery.has(query, "cost_min", null)
				|| RawQuery.has(query, "cost_max", null) || isExport(request.getHeader(HttpHeaders.ACCEPT))))
				|| (path.endsWith("/stats") && RawQuery.has(query, "interval", "minute"));
	}

	/** Asks for a streamed export (a format only exports have). */
	private static boolean isExport(String accept) {
		return accept != null && (accept.contains("ndjson") || accept.contains("csv"));
	}

	private static boolean acquire(Semaphore permits, long deadline) {
		try {
			return permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private void refuse(HttpServletResponse response) throws IOException {
		this.refused.increment();
		response.setHeader(HttpHeaders.RETRY_AFTER, "1");
		this.errors.write(response, ErrorCode.TOO_MANY_CONCURRENT_REQUESTS);
	}

	/** Forgets orgs with nothing running, so memory follows active orgs only. */
	@Scheduled(fixedDelay = 60_000)
	void forgetIdle() {
		this.running.values().removeIf((org) -> org.availablePermits() == this.permits && !org.hasQueuedThreads());
		this.runningExpensive.values()
			.removeIf((org) -> org.availablePermits() == this.expensivePermits && !org.hasQueuedThreads());
	}

}
