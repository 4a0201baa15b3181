package run.trakr.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The committed {@code docs/openapi.yaml}, used to check real responses. Stricter than
 * the document: an object with declared properties may not carry undeclared ones, so a
 * field the API adds without describing it fails the check.
 */
final class OpenApiContract {

	private final JsonNode document;

	private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

	OpenApiContract(Path file) {
		this.document = new YAMLMapper().readTree(file.toFile());
		forbidUndeclaredProperties(this.document);
	}

	JsonNode document() {
		return this.document;
	}

	/**
	 * Every way {@code body} breaks the schema of {@code path}'s GET response
	 * {@code status}.
	 */
	List<String> violations(String pathTemplate, int status, JsonNode body) {
		JsonNode response = this.document.path("paths")
			.path(pathTemplate)
			.path("get")
			.path("responses")
			.path(String.valueOf(status));
		if (response.isMissingNode()) {
			return List.of(pathTemplate + " describes no " + status + " response");
		}
		response = resolve(response);
		ObjectNode root = ((ObjectNode) response.path("content").path("application/json").path("schema")).deepCopy();
		root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
		root.set("components", this.document.path("components"));
		Schema schema = this.registry.getSchema(root.toString());
		return schema.validate(body).stream().map(Error::toString).toList();
	}

	/**
	 * The headers a GET response {@code status} of {@code path} declares it always sends:
	 * all but those marked {@code required: false} (sent only in some cases, which the
	 * description says).
	 */
	List<String> declaredHeaders(String pathTemplate, int status) {
		JsonNode response = resolve(this.document.path("paths")
			.path(pathTemplate)
			.path("get")
			.path("responses")
			.path(String.valueOf(status)));
		return response.path("headers")
			.propertyNames()
			.stream()
			.filter((header) -> resolve(response.path("headers").path(header)).path("required").asBoolean(true))
			.toList();
	}

	/** What is wrong with a header's value, by the schema its description gives. */
	List<String> headerViolations(String pathTemplate, int status, String header, String value) {
		JsonNode response = resolve(this.document.path("paths")
			.path(pathTemplate)
			.path("get")
			.path("responses")
			.path(String.valueOf(status)));
		ObjectNode root = ((ObjectNode) resolve(response.path("headers").path(header)).path("schema")).deepCopy();
		root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
		Schema schema = this.registry.getSchema(root.toString());
		return schema.validate(tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(value))
			.stream()
			.map(Error::toString)
			.toList();
	}

	private JsonNode resolve(JsonNode node) {
		String ref = node.path("$ref").asString("");
		if (ref.isEmpty()) {
			return node;
		}
		return this.document.at(ref.substring(1));
	}

	private static void forbidUndeclaredProperties(JsonNode node) {
		if (node instanceof ObjectNode object) {
			if (object.path("properties").isObject() && !object.has("additionalProperties")) {
				object.put("additionalProperties", false);
			}
			for (Map.Entry<String, JsonNode> child : object.properties()) {
				forbidUndeclaredProperties(child.getValue());
			}
		}
		else if (node.isArray()) {
			node.forEach(OpenApiContract::forbidUndeclaredProperties);
		}
	}

}
