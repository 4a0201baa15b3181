package run.trakr.readapi.system;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Counts the SQL statements each route runs ({@code trakr.db.statements}, tagged with the
 * route's pattern; {@code none} outside a route: token lookups in the gate, the freshness
 * reader, background writes). Statements per request is what a cache or a 304 saves, so
 * it is measured, not assumed.
 */
class StatementMetrics implements ExecuteListener {

	static final String NAME = "trakr.db.statements";

	private final MeterRegistry meters;

	private final ConcurrentMap<String, Counter> byRoute = new ConcurrentHashMap<>();

	StatementMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	@Override
	public void executeStart(ExecuteContext context) {
		this.byRoute
			.computeIfAbsent(route(),
					(route) -> Counter.builder(NAME)
						.description("SQL statements run, by the route that ran them")
						.tag("route", route)
						.register(this.meters))
			.increment();
	}

	private static String route() {
		RequestAttributes request = RequestContextHolder.getRequestAttributes();
		Object pattern = (request != null)
				? request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, RequestAttributes.SCOPE_REQUEST)
				: null;
		return (pattern != null) ? pattern.toString() : "none";
	}

}
