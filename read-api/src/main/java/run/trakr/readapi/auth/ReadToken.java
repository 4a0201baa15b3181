package run.trakr.readapi.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The read token format, {@code tk_read_} + 32 lowercase hex. Only {@link #hash} and
 * {@link #displayPrefix} of a token are ever stored or logged.
 */
public final class ReadToken {

	public static final String READ_PREFIX = "tk_read_";

	public static final String INGEST_PREFIX = "tk_live_";

	private static final int SECRET_HEX_DIGITS = 32;

	private static final SecureRandom RANDOM = new SecureRandom();

	private ReadToken() {
	}

	/** A new secret: 128 random bits. */
	public static String generate() {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		return READ_PREFIX + HexFormat.of().formatHex(bytes);
	}

	/**
	 * {@code tk_read_} and 32 lowercase hex digits (checked by hand: once per request).
	 */
	public static boolean isWellFormed(String token) {
		if (token.length() != READ_PREFIX.length() + SECRET_HEX_DIGITS || !token.startsWith(READ_PREFIX)) {
			return false;
		}
		for (int i = READ_PREFIX.length(); i < token.length(); i++) {
			char c = token.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
				return false;
			}
		}
		return true;
	}

	/**
	 * SHA-256 of the token, lowercase hex: what the database stores and is searched by.
	 */
	public static String hash(String token) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	}

	/** What logs and listings show: {@code tk_read_abcd…}. */
	public static String displayPrefix(String token) {
		return token.substring(0, Math.min(token.length(), READ_PREFIX.length() + 4)) + "…";
	}

}
