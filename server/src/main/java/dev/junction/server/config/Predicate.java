package dev.junction.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.schibsted.spt.data.jslt.Expression;

/**
 * A compiled JSLT predicate ({@code .currency == "EUR"}), as written in a {@code filter} step or a target's {@code when}. Its
 * result is true unless it is false, null, 0, an empty string, an empty array or an empty object (JSLT's own rule).
 * Thread-safe.
 *
 * @param source     the expression as written, reported as the rule that filtered a message
 * @param expression the compiled expression
 */
public record Predicate(String source, Expression expression) {

    /** Evaluates the predicate; an expression that fails to evaluate throws, and the caller dead-letters the message. */
    public boolean test(JsonNode message) {
        return truthy(expression.apply(message));
    }

    static boolean truthy(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNumber()) {
            return value.doubleValue() != 0;
        }
        if (value.isTextual()) {
            return !value.textValue().isEmpty();
        }
        return value.size() > 0 || value.isPojo() || value.isBinary();
    }
}
