package run.trakr.readapi.auth;

import java.util.UUID;

/**
 * Who is asking: the organization and plan behind the bearer token. Handlers read it from
 * the request attribute {@link #ATTRIBUTE}; the org never comes from the request.
 */
public record Caller(UUID orgId, Plan plan, UUID tokenId, String tokenPrefix) {

	public static final String ATTRIBUTE = "run.trakr.readapi.auth.Caller";

}
