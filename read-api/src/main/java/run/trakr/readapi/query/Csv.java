package run.trakr.readapi.query;

import java.io.IOException;
import java.io.Writer;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * RFC 4180 CSV: a header line, CRLF line ends, a field quoted when it holds a comma, a
 * quote or a line break (quotes doubled), an empty field for null. Values are written as
 * the JSON answer writes them (money as plain decimals, timestamps as in JSON).
 */
public final class Csv {

	private Csv() {
	}

	/** A header of the record's fields (snake_case, as in JSON), then one line a row. */
	public static <R extends Record> void write(Writer out, Class<R> type, List<R> rows, JsonMapper json)
			throws IOException {
		List<String> names = new ArrayList<>();
		for (RecordComponent component : type.getRecordComponents()) {
			names.add(snakeCase(component.getName()));
		}
		line(out, names);
		List<String> fields = new ArrayList<>(names.size());
		for (R row : rows) {
			JsonNode node = json.valueToTree(row);
			fields.clear();
			for (String name : names) {
				fields.add(text(node.get(name)));
			}
			line(out, fields);
		}
	}

	/** One line; a null field is empty. */
	public static void line(Writer out, List<String> fields) throws IOException {
		for (int i = 0; i < fields.size(); i++) {
			if (i > 0) {
				out.write(',');
			}
			field(out, fields.get(i));
		}
		out.write("\r\n");
	}

	private static void field(Writer out, String value) throws IOException {
		if (value == null) {
			return;
		}
		boolean quote = false;
		for (int i = 0; i < value.length() && !quote; i++) {
			char c = value.charAt(i);
			quote = c == ',' || c == '"' || c == '\n' || c == '\r';
		}
		if (!quote) {
			out.write(value);
			return;
		}
		out.write('"');
		out.write(value.replace("\"", "\"\""));
		out.write('"');
	}

	/** {@code avgCostUsd} to {@code avg_cost_usd}, as the JSON naming writes it. */
	private static String snakeCase(String name) {
		StringBuilder snake = new StringBuilder(name.length() + 4);
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (Character.isUpperCase(c)) {
				snake.append('_').append(Character.toLowerCase(c));
			}
			else {
				snake.append(c);
			}
		}
		return snake.toString();
	}

	private static String text(JsonNode value) {
		if (value == null || value.isNull()) {
			return null;
		}
		return value.isString() ? value.stringValue() : value.toString();
	}

}
