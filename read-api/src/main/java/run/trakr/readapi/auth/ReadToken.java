package run.trakr.readapi.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The read token format, {@code tk_read_} + 32 lowercase hex. Only {@link #hash} and
 * {@link #displayPrefix} of a token are ever stored or logged.
 */
public final class ReadToken {

	public static final String READ_PREFIX = "tk_read_";

	public static final String INGEST_PREFIX = "tk_live_";

	private static final Pattern FORMAT = Pattern.compile("tk_read_[0-9a-f]{32}");

	private static final SecureRandom RANDOM = new SecureRandom();

	private ReadToken() {
	}

	/** A new secret: 128 random bits. */
	public static String generate() {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		return READ_PREFIX + HexFormat.of().formatHex(bytes);
	}

	public static boolean isWellFormed(String token) {
		return FORMAT.matcher(token).matches();
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
