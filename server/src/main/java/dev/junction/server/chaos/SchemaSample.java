package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A small generator of one valid instance of a JSON Schema: the schema's own {@code examples} when it has one; else every
 * property (required or not), {@code enum}/{@code const} values, numbers at their minimum, arrays at their minimum length (at
 * least one item), and strings that satisfy {@code minLength}, {@code format: email} and simple {@code pattern}s. The caller
 * validates the result with the schema and asks for recorded messages when it does not pass: this is no complete generator.
 */
final class SchemaSample {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Strings tried in turn against a {@code pattern}. */
    private static final List<String> PATTERN_CANDIDATES = List.of("EUR", "abc", "ABC", "a1", "A1", "1", "123", "chaos",
            "2026-01-01", "2026-01-01T00:00:00Z", "a@example.com", "ABC-123", "abc-123", "AB", "A", "a");

    private SchemaSample() {}

    static JsonNode of(JsonNode schema) {
        JsonNode examples = schema.path("examples");
        if (examples.isArray() && !examples.isEmpty()) {
            return examples.get(0).deepCopy();
        }
        return value(schema, 0);
    }

    private static JsonNode value(JsonNode schema, int depth) {
        if (schema.has("const")) {
            return schema.get("const").deepCopy();
        }
        if (schema.path("enum").isArray() && !schema.get("enum").isEmpty()) {
            return schema.get("enum").get(0).deepCopy();
        }
        if (schema.has("default")) {
            return schema.get("default").deepCopy();
        }
        for (String combinator : List.of("oneOf", "anyOf", "allOf")) {
            if (schema.path(combinator).isArray() && !schema.get(combinator).isEmpty()) {
                return value(schema.get(combinator).get(0), depth + 1);
            }
        }
        String type = type(schema);
        return switch (type) {
            case "object" -> object(schema, depth);
            case "array" -> array(schema, depth);
            case "integer" -> JSON.numberNode(schema.path("minimum").asLong(Math.max(1, schema.path("exclusiveMinimum").asLong(0) + 1)));
            case "number" -> JSON.numberNode(schema.has("minimum") ? schema.get("minimum").asDouble() + 1.5 : 1.5);
            case "boolean" -> JSON.booleanNode(true);
            case "null" -> JSON.nullNode();
            default -> JSON.textNode(string(schema));
        };
    }

    private static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (!t.asText().equals("null")) {
                    return t.asText();
                }
            }
        }
        if (type.isTextual()) {
            return type.asText();
        }
        return schema.has("properties") ? "object" : schema.has("items") ? "array" : "string";
    }

    private static ObjectNode object(JsonNode schema, int depth) {
        ObjectNode object = JSON.objectNode();
        if (depth > 8) {
            return object;
        }
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> p = properties.next();
            object.set(p.getKey(), value(p.getValue(), depth + 1));
        }
        for (JsonNode required : schema.path("required")) {
            if (!object.has(required.asText())) {
                object.put(required.asText(), "chaos");
            }
        }
        return object;
    }

    private static ArrayNode array(JsonNode schema, int depth) {
        ArrayNode array = JSON.arrayNode();
        int n = Math.max(1, schema.path("minItems").asInt(1));
        for (int i = 0; i < n && depth <= 8; i++) {
            array.add(value(schema.path("items"), depth + 1));
        }
        return array;
    }

    private static String string(JsonNode schema) {
        String format = schema.path("format").asText("");
        String base = switch (format) {
            case "email" -> "chaos@example.com";
            case "date" -> "2026-01-01";
            case "date-time" -> "2026-01-01T00:00:00Z";
            case "uuid" -> "00000000-0000-4000-8000-000000000000";
            case "uri" -> "https://example.com/chaos";
            default -> "chaos";
        };
        if (schema.has("pattern")) {
            Pattern pattern = Pattern.compile(schema.get("pattern").asText());
            for (String candidate : java.util.stream.Stream.concat(java.util.stream.Stream.of(base), PATTERN_CANDIDATES.stream()).toList()) {
                if (pattern.matcher(candidate).find()) {
                    return candidate;
                }
            }
        }
        int min = schema.path("minLength").asInt(0);
        StringBuilder s = new StringBuilder(base);
        while (s.length() < min) {
            s.append('x');
        }
        int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
        return s.length() > max ? s.substring(0, max) : s.toString();
    }
}
