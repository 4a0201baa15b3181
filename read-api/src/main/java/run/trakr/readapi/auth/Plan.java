package run.trakr.readapi.auth;

import java.util.Locale;

/** An organization's plan; some routes need more than Starter. */
public enum Plan {

	STARTER, PRO, SCALE;

	public static Plan of(String stored) {
		return valueOf(stored.toUpperCase(Locale.ROOT));
	}

	public String stored() {
		return name().toLowerCase(Locale.ROOT);
	}

}
