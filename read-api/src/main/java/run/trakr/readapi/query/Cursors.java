package run.trakr.readapi.query;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import run.trakr.readapi.system.ApiError;
import run.trakr.readapi.system.ApiException;
import run.trakr.readapi.system.ErrorCode;

/**
 * Opaque paging cursors: the position after the last row of a page, bound to the org and
 * to the exact filters and sort of the query, and signed (HMAC-SHA256) so that a tampered
 * or mismatched cursor is a clean 400 {@code invalid_cursor}. Every replica must share
 * the secret ({@code trakr.cursor.secret}).
 */
@Component
public class Cursors {

	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	private static final int MAC_BYTES = 16;

	private static final char SEPARATOR = '\n';

	private final SecretKeySpec key;

	/**
	 * Secrets that are public (in this repository): anyone could sign cursors with them.
	 */
	static final List<String> PUBLIC_SECRETS = List.of("local-development-cursor-secret",
			"change-me-compose-cursor-secret");

	/** Shorter secrets can be guessed offline from one issued cursor. */
	static final int MIN_SECRET_LENGTH = 16;

	Cursors(@Value("${trakr.cursor.secret}") String secret, Environment environment) {
		boolean local = environment.matchesProfiles("local");
		if (!local && (secret.length() < MIN_SECRET_LENGTH || PUBLIC_SECRETS.contains(secret))) {
			throw new IllegalStateException("Set TRAKR_CURSOR_SECRET (trakr.cursor.secret) to a secret of at least "
					+ MIN_SECRET_LENGTH + " characters, the same on every replica; the development value is "
					+ "accepted only under the 'local' profile");
		}
		this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
	}

	/** A cursor for the page after {@code position}, under this org and query. */
	public String encode(UUID orgId, String query, List<String> position) {
		StringBuilder payload = new StringBuilder();
		for (String value : position) {
			payload.append((value != null) ? "v" + value : "n").append(SEPARATOR);
		}
		byte[] body = payload.toString().getBytes(StandardCharsets.UTF_8);
		return ENCODER.encodeToString(body) + "." + ENCODER.encodeToString(mac(orgId, query, body));
	}

	/**
	 * The position a cursor holds, or 400 when it was not issued for this org and query.
	 */
	public List<String> decode(String cursor, UUID orgId, String query, int positionSize) {
		int dot = cursor.indexOf('.');
		if (dot < 0) {
			throw invalid();
		}
		byte[] body;
		byte[] signature;
		try {
			body = DECODER.decode(cursor.substring(0, dot));
			signature = DECODER.decode(cursor.substring(dot + 1));
		}
		catch (IllegalArgumentException ex) {
			throw invalid();
		}
		if (!MessageDigest.isEqual(signature, mac(orgId, query, body))) {
			throw invalid();
		}
		String payload = new String(body, StandardCharsets.UTF_8);
		List<String> position = new ArrayList<>();
		int start = 0;
		for (int end = payload.indexOf(SEPARATOR); end >= 0; end = payload.indexOf(SEPARATOR, start)) {
			String value = payload.substring(start, end);
			position.add(value.startsWith("v") ? value.substring(1) : null);
			start = end + 1;
		}
		if (position.size() != positionSize) {
			throw invalid();
		}
		return position;
	}

	/**
	 * The window a cursor carries, validated like {@code from} and {@code to}: a cursor
	 * signed with a leaked secret must not reach further than a query could.
	 */
	public static TimeWindow window(String from, String to) {
		QueryParameters values = QueryParameters
			.ofValues(Map.of("from", String.valueOf(from), "to", String.valueOf(to)));
		TimeWindow window = TimeWindow.read(values, Clock.systemUTC());
		if (values.hasProblems()) {
			throw invalid();
		}
		return window;
	}

	/**
	 * What a cursor is bound to, one line per part: free text (workflow names, rule ids)
	 * is length-prefixed, so that no value can pass for two ({@code workflow=a,b} and
	 * {@code workflow=a&workflow=b} once shared one).
	 */
	public static String fingerprint(String route, Collection<String> texts, String... fixed) {
		StringBuilder fingerprint = new StringBuilder(route);
		for (String text : texts) {
			fingerprint.append('\n').append(text.length()).append(':').append(text);
		}
		fingerprint.append("\n|");
		for (String value : fixed) {
			fingerprint.append('\n').append(value);
		}
		return fingerprint.toString();
	}

	public static ApiException invalid() {
		return new ApiException(ErrorCode.INVALID_CURSOR,
				new ApiError(ErrorCode.INVALID_CURSOR.message(), ErrorCode.INVALID_CURSOR.code(),
						List.of(new ApiError.ParameterProblem("cursor",
								"was not issued for this query; start again without it"))));
	}

	private byte[] mac(UUID orgId, String query, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.key);
			mac.update((orgId + "\n" + query + "\n").getBytes(StandardCharsets.UTF_8));
			return Arrays.copyOf(mac.doFinal(body), MAC_BYTES);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
