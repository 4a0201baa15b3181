package run.trakr.readapi.conditional;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * A strong {@code ETag} on every 200 of the read routes, and {@code 304 Not Modified} for
 * an {@code If-None-Match} that names it or is {@code *} (extensions.md §1). The ETag is
 * a digest of the body, so equal ETags mean equal bodies on every replica, and any change
 * to what the answer shows gives a new one. Runs inside the gate: a 304 is counted
 * against the quota and carries the quota and freshness headers like any answer. The body
 * is still computed to decide a 304 (for the aggregates, mostly from the rollup caches);
 * a streamed export has no ETag, as it is written before its last row is known.
 */
public class ConditionalRequests extends OncePerRequestFilter {

	/** No shared cache may serve one token's answer to another. */
	static final String CACHE_CONTROL = "private, no-cache";

	private static final String STREAMED = ConditionalRequests.class.getName() + ".streamed";

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
		chain.doFilter(request, held);
		if (request.getAttribute(STREAMED) != null) {
			return;
		}
		if (held.getStatus() == HttpServletResponse.SC_OK && !response.isCommitted()) {
			String etag = etag(held.getContentAsByteArray());
			response.setHeader(HttpHeaders.ETAG, etag);
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
