package dev.junction.server.masking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Hides one message's masked values in what is shown of it. The raw original is masked by pointer; anything else (a mapping's
 * output in another shape, an error's detail, a header) by value: each masked value is replaced by {@value Masking#MARK}
 * wherever it appears, inside longer text too when it has at least {@value #MIN_INSIDE} characters (a shorter one only where
 * it is the whole value, so that masking "7" does not blank every 7). Immutable.
 */
public final class Redactor {
    static final int MIN_INSIDE = 4;
    public static final Redactor NONE = new Redactor(null, null, Set.of());
    private final Masking masking;
    private final JsonNode original;
    private final List<String> secrets;

    Redactor(Masking masking, JsonNode original, Set<String> secrets) {
        this.masking = masking;
        this.original = original;
        // the longest first, so that a value containing another is replaced whole
        this.secrets = secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** False when nothing is masked: every method gives back what it was given. */
    public boolean active() {
        return masking != null;
    }

    /**
     * The raw original as it may be shown: masked by pointer and by value; null when it is not JSON, so that pointers cannot
     * find what to mask in it (it is then withheld whole).
     */
    public JsonNode original() {
        return original == null ? null : json(masking.mask(original));
    }

    /** {@code text} with every masked value replaced; null stays null. */
    public String text(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : secrets) {
            if (result.equals(secret)) {
                return Masking.MARK;
            }
            if (secret.length() >= MIN_INSIDE) {
                result = result.replace(secret, Masking.MARK);
            }
        }
        return result;
    }

    /** A copy of {@code node} with every masked value in its text and numbers replaced; null stays null. */
    public JsonNode json(JsonNode node) {
        if (node == null || secrets.isEmpty()) {
            return node;
        }
        if (node instanceof ObjectNode object) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            object.fields().forEachRemaining(e -> copy.set(text(e.getKey()), json(e.getValue())));
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            array.forEach(element -> copy.add(json(element)));
            return copy;
        }
        if (node.isTextual()) {
            return JsonNodeFactory.instance.textNode(text(node.textValue()));
        }
        if (node.isNumber()) {
            return secrets.contains(node.asText()) ? JsonNodeFactory.instance.textNode(Masking.MARK) : node;
        }
        return node;
    }

    /** {@code values} with each value passed through {@link #text}. */
    public java.util.Map<String, String> values(java.util.Map<String, String> values) {
        if (secrets.isEmpty() || values == null) {
            return values;
        }
        java.util.Map<String, String> copy = new java.util.LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, text(v)));
        return copy;
    }
}
