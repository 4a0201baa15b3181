package run.trakr.demo;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a Grafana dashboard's Infinity queries the way Grafana and the Infinity plugin run
 * them: a query variable only in Infinity's variable model ({@code queryType:
 * "infinity"} with the query in {@code infinityQuery}), its options from the first
 * column, its first option selected; URLs interpolated with Grafana's substitutions
 * (nothing left over, no empty path segment); the backend parser's root selector and
 * column selectors (dotted paths) found in every row.
 */
final class InfinityQueries {

	private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_]+)(?::([a-z]+))?\\}|\\$([A-Za-z_]+)");

	private final Instant from;

	private final Instant to;

	/** GETs a path of the read API with the datasource's token; the body of a 200. */
	private final String timezone;

	private final Function<String, String> api;

	private final Map<String, String> variables = new LinkedHashMap<>();

	/**
	 * {@code timezone}: what Grafana's {@code ${__timezone}} gives, {@code utc} or the
	 * browser's IANA zone.
	 */
	InfinityQueries(Instant from, Instant to, String timezone, Function<String, String> api) {
		this.from = from;
		this.to = to;
		this.timezone = timezone;
		this.api = api;
	}

	/** Every query of the dashboard, variables first; returns how many ran. */
	int runAll(JsonNode dashboard) {
		int ran = 0;
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			String name = variable.path("name").asString();
			JsonNode query = variable.path("query");
			assertThat(query.path("queryType").asString()).as("variable %s: Infinity's query type", name)
				.isEqualTo("infinity");
			assertThat(query.path("infinityQuery").isObject()).as("variable %s: infinityQuery", name).isTrue();
			List<JsonNode> rows = run("variable " + name, query.path("infinityQuery"));
			String firstColumn = query.path("infinityQuery").at("/columns/0/selector").asString();
			List<String> options = new ArrayList<>();
			rows.forEach(row -> options.add(select(row, firstColumn).asString()));
			assertThat(options).as("variable %s: options", name).isNotEmpty().doesNotContain("");
			this.variables.put(name, options.get(0));
			ran++;
		}
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				run("panel " + panel.path("title").asString(), target);
				ran++;
			}
		}
		for (JsonNode annotation : dashboard.path("annotations").path("list")) {
			if (annotation.path("datasource").path("type").asString().equals("yesoreyeram-infinity-datasource")) {
				JsonNode target = annotation.path("target");
				List<String> texts = new ArrayList<>();
				target.path("columns").forEach(column -> texts.add(column.path("text").asString()));
				assertThat(texts).as("annotation %s: Grafana's fields", annotation.path("name").asString())
					.contains("time", "text");
				run("annotation " + annotation.path("name").asString(), target);
				ran++;
			}
		}
		return ran;
	}

	private List<JsonNode> run(String what, JsonNode query) {
		assertThat(query.path("type").asString()).as(what + ": type").isEqualTo("json");
		assertThat(query.path("source").asString()).as(what + ": source").isEqualTo("url");
		assertThat(query.path("parser").asString()).as(what + ": parser").isEqualTo("backend");
		assertThat(query.path("format").asString()).as(what + ": format").isIn("table", "timeseries", "dataframe");
		String url = interpolate(what, query.path("url").asString());
		String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
		assertThat(path).as(what + ": " + url).startsWith("/api/").doesNotContain("//").doesNotEndWith("/");
		JsonNode body = tools.jackson.databind.json.JsonMapper.builder().build().readTree(this.api.apply(url));
		String rootSelector = query.path("root_selector").asString("");
		JsonNode root = rootSelector.isEmpty() ? body : select(body, rootSelector);
		assertThat(root.isArray() || root.isObject()).as(what + ": root " + rootSelector + " of " + url).isTrue();
		List<JsonNode> rows = new ArrayList<>();
		if (root.isArray()) {
			root.forEach(rows::add);
		}
		else {
			rows.add(root);
		}
		assertThat(rows).as(what + ": rows of " + url).isNotEmpty();
		for (JsonNode column : query.path("columns")) {
			String selector = column.path("selector").asString();
			for (JsonNode row : rows) {
				assertThat(select(row, selector).isMissingNode()).as(what + ": column " + selector + " in " + url)
					.isFalse();
			}
		}
		return rows;
	}

	/**
	 * Grafana's interpolation of what a query may use: the time range as ISO instants or
	 * epoch milliseconds, the time zone, and the dashboard's variables, raw or
	 * percent-encoded. Anything else left in the URL fails.
	 */
	private String interpolate(String what, String url) {
		String withRange = url.replace("${__from:date:iso}", this.from.toString())
			.replace("${__to:date:iso}", this.to.toString())
			.replace("${__from}", String.valueOf(this.from.toEpochMilli()))
			.replace("${__to}", String.valueOf(this.to.toEpochMilli()))
			.replace("${__timezone}", this.timezone);
		Matcher variable = VARIABLE.matcher(withRange);
		StringBuilder out = new StringBuilder();
		while (variable.find()) {
			String name = (variable.group(1) != null) ? variable.group(1) : variable.group(3);
			String format = variable.group(2);
			String value = this.variables.get(name);
			assertThat(value).as(what + ": variable " + name + " is not defined before use").isNotNull();
			if ("percentencode".equals(format)) {
				value = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
			}
			else {
				assertThat(format).as(what + ": format of " + name).isNull();
			}
			variable.appendReplacement(out, Matcher.quoteReplacement(value));
		}
		variable.appendTail(out);
		assertThat(out.toString()).as(what + ": nothing left to interpolate").doesNotContain("$");
		return out.toString();
	}

	/**
	 * A dotted path ({@code previous_period.run_count}), as the backend parser reads it.
	 */
	private static JsonNode select(JsonNode node, String path) {
		JsonNode at = node;
		for (String part : path.split("\\.")) {
			at = at.path(part);
		}
		return at;
	}

}
