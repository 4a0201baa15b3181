package run.trakr.readapi.auth;

import java.io.IOException;
import java.util.Enumeration;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.transaction.TransactionException;
import org.springframework.web.filter.OncePerRequestFilter;

import run.trakr.readapi.auth.TokenQueries.StoredToken;
import run.trakr.readapi.auth.TokenResolver.Resolved;
import run.trakr.readapi.freshness.ProjectionFreshness;
import run.trakr.readapi.ratelimit.RateLimitDecision;
import run.trakr.readapi.ratelimit.RateLimitDecision.Outcome;
import run.trakr.readapi.ratelimit.TokenRateLimiter;
import run.trakr.readapi.system.ApiErrorResponder;
import run.trakr.readapi.system.DatabaseFailures;
import run.trakr.readapi.system.ErrorCode;

/**
 * Every request passes here first. In order: credentials present; method and path on the
 * allowlist (no I/O before this point); a well-formed {@code tk_read_} bearer token (an
 * ingest key is refused without a lookup); the token found by its hash and not revoked
 * (an address that keeps failing gets a 429 before any lookup of tokens not cached); the
 * token's rate limit. The caller's org then comes from the token, never from the request.
 */
public class BearerTokenGate extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(BearerTokenGate.class);

	private static final String BEARER = "Bearer ";

	private final TokenResolver tokens;

	private final LastUseRecorder lastUse;

	private final TokenRateLimiter rateLimiter;

	private final ApiErrorResponder errors;

	private final FailedAuthentications failures;

	private final ProjectionFreshness freshness;

	BearerTokenGate(TokenResolver tokens, LastUseRecorder lastUse, TokenRateLimiter rateLimiter,
			ApiErrorResponder errors, FailedAuthentications failures, ProjectionFreshness freshness) {
		this.tokens = tokens;
		this.freshness = freshness;
		this.failures = failures;
		this.lastUse = lastUse;
		this.rateLimiter = rateLimiter;
		this.errors = errors;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (authorization == null || authorization.isBlank()) {
			this.errors.write(response, ErrorCode.MISSING_TOKEN);
			return;
		}
		if (!ReadRoutes.allows(request.getMethod(), request.getRequestURI())) {
			this.errors.write(response, ErrorCode.ROUTE_NOT_ALLOWED);
			return;
		}
		if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()) || hasSecondAuthorization(request)) {
			this.errors.write(response, ErrorCode.INVALID_TOKEN);
			return;
		}
		String token = authorization.substring(BEARER.length()).trim();
		if (token.startsWith(ReadToken.INGEST_PREFIX)) {
			this.errors.write(response, ErrorCode.INGEST_KEY_NOT_ALLOWED);
			return;
		}
		if (!ReadToken.isWellFormed(token)) {
			this.errors.write(response, ErrorCode.INVALID_TOKEN);
			return;
		}
		String hash = ReadToken.hash(token);
		try {
			Resolved resolved = authenticate(hash, request, response);
			if (resolved == null) {
				return;
			}
			StoredToken stored = resolved.token();
			RateLimitDecision decision = this.rateLimiter.tryAcquire(stored.tokenId().toString());
			if (decision.outcome() == Outcome.REVOKED
					|| (!decision.shared() && resolved.cached() && revokedMeanwhile(hash))) {
				this.tokens.evict(hash);
				this.errors.write(response, ErrorCode.REVOKED_TOKEN);
				return;
			}
			this.lastUse.used(stored);
			RateLimitHeaders.write(response, decision);
			this.freshness.write(response);
			if (!decision.accepted()) {
				response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(decision.secondsUntilSlotFrees()));
				this.errors.write(response, ErrorCode.RATE_LIMITED);
				return;
			}
			String prefix = ReadToken.displayPrefix(token);
			request.setAttribute(Caller.ATTRIBUTE, new Caller(stored.orgId(), stored.plan(), stored.tokenId(), prefix));
			MDC.put("token", prefix);
		}
		catch (DataAccessException | TransactionException ex) {
			log.warn("Token lookup failed: {}", DatabaseFailures.cause(ex));
			this.errors.write(response, ErrorCode.SERVICE_UNAVAILABLE);
			return;
		}
		try {
			chain.doFilter(request, response);
		}
		finally {
			MDC.remove("token");
		}
	}

	/** Two credentials are one too many: which one is meant is not ours to guess. */
	private static boolean hasSecondAuthorization(HttpServletRequest request) {
		Enumeration<String> values = request.getHeaders(HttpHeaders.AUTHORIZATION);
		values.nextElement();
		return values.hasMoreElements();
	}

	/**
	 * The token if it exists and is not revoked; otherwise writes the 401 and returns
	 * null.
	 */
	private Resolved authenticate(String hash, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		if (this.rateLimiter.isDegraded()) {
			// Without Redis no revocation mark can be seen: trust only the database.
			this.tokens.clear();
		}
		String address = request.getRemoteAddr();
		Optional<Resolved> cached = this.tokens.cached(hash);
		if (cached.isEmpty()) {
			long throttled = this.failures.secondsThrottled(address);
			if (throttled > 0) {
				response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(throttled));
				this.errors.write(response, ErrorCode.AUTHENTICATION_THROTTLED);
				return null;
			}
		}
		Resolved found = cached.orElseGet(() -> this.tokens.load(hash));
		if (found.token() == null || found.token().revokedAt() != null) {
			if (!found.cached()) {
				// What the throttle guards is the database: answers from the cache are
				// free.
				this.failures.failed(address);
			}
			this.errors.write(response, (found.token() == null) ? ErrorCode.INVALID_TOKEN : ErrorCode.REVOKED_TOKEN);
			return null;
		}
		return found;
	}

	/**
	 * Redis failed mid-request, so no mark was checked: a cached lookup may be stale, ask
	 * the database.
	 */
	private boolean revokedMeanwhile(String hash) {
		StoredToken token = this.tokens.load(hash).token();
		return token == null || token.revokedAt() != null;
	}

}
