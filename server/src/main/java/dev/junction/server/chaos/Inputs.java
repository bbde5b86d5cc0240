package dev.junction.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.KeyRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The n-th message a scenario sends to one integration: a sample with the run's unique key put where the integration's key
 * rule looks for it, and for {@code bad-input} 1 in 10 with a required field null, missing or of the wrong type (in turn).
 */
final class Inputs {
    private Inputs() {}

    /**
     * A message to send: its key, the header carrying it (null when the key is in the body or the file name), the file it is
     * written as for a directory source (null for a webhook), and the body.
     */
    record Message(String key, String header, String fileName, JsonNode body, boolean bad) {}

    static Message nth(Driven driven, Scenario scenario, String prefix, int n) {
        String base = prefix + driven.integration() + "-" + n;
        String fileName = driven.byFile() ? base + Plan.FILE_SUFFIX : null;
        // a directory source's native key (file-name, header:file-name) is the file's name
        String key = driven.byFile() && !(driven.key() instanceof KeyRule.Json) ? fileName : base;
        JsonNode body = driven.samples().get(n % driven.samples().size()).deepCopy();
        String header = null;
        String keyField = null;
        if (driven.key() instanceof KeyRule.Json json && body instanceof ObjectNode) {
            put((ObjectNode) body, json.pointer().toString(), key);
            keyField = json.pointer().getMatchingProperty();
        } else if (driven.key() instanceof KeyRule.Header h && !driven.byFile()) {
            header = h.name();
        }
        boolean bad = scenario == Scenario.BAD_INPUT && n % 10 == 9 && body instanceof ObjectNode;
        if (bad) {
            spoil((ObjectNode) body, fields(driven.schema(), body, keyField), n / 10);
        }
        return new Message(key, header, fileName, body, bad);
    }

    /** Whether the n-th message is sent again after its first answer ({@code duplicates}: 1 in 5). */
    static boolean redelivered(Scenario scenario, int n) {
        return scenario == Scenario.DUPLICATES && n % 5 == 4;
    }

    private static void put(ObjectNode body, String pointer, String key) {
        String[] parts = pointer.substring(1).split("/");
        ObjectNode at = body;
        for (int i = 0; i < parts.length - 1; i++) {
            String part = unescape(parts[i]);
            if (!(at.get(part) instanceof ObjectNode)) {
                at.set(part, JsonNodeFactory.instance.objectNode());
            }
            at = (ObjectNode) at.get(part);
        }
        at.put(unescape(parts[parts.length - 1]), key);
    }

    private static String unescape(String part) {
        return part.replace("~1", "/").replace("~0", "~");
    }

    /** The fields to spoil: the schema's required top-level properties, else the body's own; never the key's field. */
    private static List<String> fields(JsonNode schema, JsonNode body, String keyField) {
        List<String> fields = new ArrayList<>();
        if (schema != null) {
            schema.path("required").forEach(r -> fields.add(r.asText()));
        }
        if (fields.isEmpty()) {
            body.fieldNames().forEachRemaining(fields::add);
        }
        fields.remove(keyField);
        return fields;
    }

    private static void spoil(ObjectNode body, List<String> fields, int turn) {
        if (fields.isEmpty()) {
            body.removeAll();
            return;
        }
        String field = fields.get(turn % fields.size());
        switch (turn % 3) {
            case 0 -> body.putNull(field);
            case 1 -> body.remove(field);
            default -> {
                JsonNode was = body.path(field);
                if (was.isTextual()) {
                    body.put(field, 12345);
                } else {
                    body.put(field, "not-a-" + was.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
    }
}
