package run.trakr.readapi.conditional;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

import run.trakr.readapi.auth.Caller;
import run.trakr.readapi.auth.Plan;

/**
 * A strong {@code ETag} on every 200 of the read routes, and {@code 304 Not Modified} for
 * an {@code If-None-Match} that names it or is {@code *} (extensions.md §1). The ETag is
 * a digest of the body, so equal ETags mean equal bodies on every replica, and any change
 * to what the answer shows gives a new one. Runs inside the gate: a 304 is counted
 * against the quota and carries the quota and freshness headers like any answer.
 * <p>
 * A handler decides a 304 before it computes the body with {@link #notModified}, given
 * the version of the data its answer reads (bucket and org revisions, a few index rows):
 * each replica remembers which ETag it computed for which request at which version, and
 * while that version stands the answer does too. A request this replica has not answered
 * at the current version is computed, and still ends in a 304 when the digest matches. A
 * streamed export has no ETag, as it is written before its last row is known.
 */
public class ConditionalRequests extends OncePerRequestFilter {

	/** No shared cache may serve one token's answer to another. */
	static final String CACHE_CONTROL = "private, no-cache";

	private static final String STREAMED = ConditionalRequests.class.getName() + ".streamed";

	private static final String EXCHANGE = ConditionalRequests.class.getName() + ".exchange";

	/**
	 * One answer of this replica: who asked (org and plan), exactly what (target and
	 * Accept), and the version of the data it was computed at.
	 */
	private record Answer(UUID orgId, Plan plan, String target, String accept, List<Object> version) {
	}

	/** The ETag of each answer computed lately, about 300 bytes an entry. */
	private final Cache<Answer, String> known;

	ConditionalRequests(long knownAnswers) {
		this.known = Caffeine.newBuilder().maximumSize(knownAnswers).executor(Runnable::run).build();
	}

	/**
	 * Called by a handler before it computes its body, with everything the body depends
	 * on beyond the request and the caller: the window it resolved (a default one moves
	 * with the clock) and the version of the data it reads. True when this replica
	 * computed the answer at that version and the client holds its ETag: the response is
	 * then a 304 and the handler returns null. Otherwise the body's ETag is kept for that
	 * version.
	 */
	public static boolean notModified(HttpServletRequest request, Object... version) {
		Exchange exchange = (Exchange) request.getAttribute(EXCHANGE);
		return exchange != null && exchange.notModified(version);
	}

	/** Called by a handler before it streams: its body goes out as written. */
	public static void stream(HttpServletRequest request) {
		request.setAttribute(STREAMED, Boolean.TRUE);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		response.setHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL);
		response.addHeader(HttpHeaders.VARY, HttpHeaders.AUTHORIZATION);
		response.addHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT);
		HeldResponse held = new HeldResponse(request, response);
		Exchange exchange = new Exchange(request, response);
		request.setAttribute(EXCHANGE, exchange);
		chain.doFilter(request, held);
		if (request.getAttribute(STREAMED) != null) {
			return;
		}
		if (exchange.decided) {
			held.resetBuffer();
			return;
		}
		if (held.getStatus() == HttpServletResponse.SC_OK && !response.isCommitted()) {
			String etag = etag(held.getContentAsByteArray());
			response.setHeader(HttpHeaders.ETAG, etag);
			if (exchange.answer != null) {
				this.known.put(exchange.answer, etag);
			}
			if (matches(request, etag)) {
				held.resetBuffer();
				response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
				return;
			}
		}
		held.copyBodyToResponse();
	}

	/** {@code "<22 characters of base64url of the body's SHA-256>"}. */
	static String etag(byte[] body) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
			return '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16)) + '"';
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** If-None-Match's weak comparison (RFC 9110 §13.1.2): W/ is ignored, * matches. */
	static boolean matches(HttpServletRequest request, String etag) {
		for (String header : Collections.list(request.getHeaders(HttpHeaders.IF_NONE_MATCH))) {
			for (String candidate : header.split(",")) {
				String tag = candidate.trim();
				if (tag.startsWith("W/")) {
					tag = tag.substring(2);
				}
				if (tag.equals("*") || tag.equals(etag)) {
					return true;
				}
			}
		}
		return false;
	}

	/** What one request's handler said about its version, and what it was told. */
	private final class Exchange {

		private final HttpServletRequest request;

		private final HttpServletResponse response;

		/** The answer the body about to be computed is for. */
		private Answer answer;

		/** Whether a 304 was decided from the version alone. */
		private boolean decided;

		Exchange(HttpServletRequest request, HttpServletResponse response) {
			this.request = request;
			this.response = response;
		}

		boolean notModified(Object[] version) {
			Caller caller = (Caller) this.request.getAttribute(Caller.ATTRIBUTE);
			if (caller == null) {
				return false;
			}
			String query = this.request.getQueryString();
			this.answer = new Answer(caller.orgId(), caller.plan(),
					this.request.getRequestURI() + ((query != null) ? "?" + query : ""),
					String.join(",", Collections.list(this.request.getHeaders(HttpHeaders.ACCEPT))),
					Arrays.asList(version));
			String etag = ConditionalRequests.this.known.getIfPresent(this.answer);
			if (etag == null || !matches(this.request, etag)) {
				return false;
			}
			this.response.setHeader(HttpHeaders.ETAG, etag);
			this.response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
			this.decided = true;
			return true;
		}

	}

	/**
	 * Holds the body to digest it, unless the handler said it streams: then writes go
	 * straight to the client.
	 */
	private static final class HeldResponse extends ContentCachingResponseWrapper {

		private final HttpServletRequest request;

		HeldResponse(HttpServletRequest request, HttpServletResponse response) {
			super(response);
			this.request = request;
		}

		private boolean streamed() {
			return this.request.getAttribute(STREAMED) != null;
		}

		@Override
		public ServletOutputStream getOutputStream() throws IOException {
			return streamed() ? getResponse().getOutputStream() : super.getOutputStream();
		}

		@Override
		public PrintWriter getWriter() throws IOException {
			return streamed() ? getResponse().getWriter() : super.getWriter();
		}

		@Override
		public void flushBuffer() throws IOException {
			if (streamed()) {
				getResponse().flushBuffer();
			}
			else {
				super.flushBuffer();
			}
		}

	}

}
