package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.connectors.api.HttpIngressRequest;

/**
 * Where a webhook finds a message's idempotency key: {@code header:<name>} or {@code json:<JSON pointer>}. Parsed once from
 * configuration; immutable and safe to share between request threads.
 */
sealed interface IdempotencyKeySource {

    /** Longest key accepted; keys are stored in the dedup index and echoed in a header. */
    int MAX_LENGTH = 255;

    String FORM_REASON = "must be header:<name> or json:<JSON pointer>, such as header:Idempotency-Key or json:/order/id";
    String HEADER_REASON = "header:<name> needs a valid HTTP header name after the colon";
    String POINTER_REASON = "json:<pointer> needs a JSON pointer that starts with '/', such as json:/order/id";

    /** The key of one request, or why there is none ({@code key == null} then). */
    record Found(String key, String problem) {
        static Found key(String key) { return new Found(key, null); }
        static Found problem(String problem) { return new Found(null, problem); }
    }

    /** Finds the key in a request whose body parsed to {@code json}. */
    Found find(HttpIngressRequest request, JsonNode json);

    /** The key in a request header. */
    record Header(String name) implements IdempotencyKeySource {
        @Override
        public Found find(HttpIngressRequest request, JsonNode json) {
            return request.header(name)
                    .map(value -> checked(value, "header " + name))
                    .orElseGet(() -> Found.problem("the request has no " + name + " header; it carries the idempotency key"));
        }
    }

    /** The key in the body at a JSON pointer: a string, or a number in its canonical text form ({@code 17}). */
    record Json(JsonPointer pointer) implements IdempotencyKeySource {
        @Override
        public Found find(HttpIngressRequest request, JsonNode json) {
            JsonNode node = json.at(pointer);
            String where = "JSON pointer " + pointer;
            if (node.isMissingNode() || node.isNull()) {
                return Found.problem("the body has no value at " + where + "; it carries the idempotency key");
            }
            if (!node.isTextual() && !node.isNumber()) {
                return Found.problem("the value at " + where + " is " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                        + "; the idempotency key must be a string or a number");
            }
            return checked(node.asText(), where);
        }
    }

    /**
     * Parses {@code header:<name>} or {@code json:<pointer>}; throws {@link IllegalArgumentException} with a user-facing reason.
     */
    static IdempotencyKeySource parse(String spec) {
        if (spec.startsWith("header:")) {
            String name = spec.substring("header:".length());
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException(HEADER_REASON);
            }
            return new Header(name);
        }
        if (spec.startsWith("json:")) {
            String expr = spec.substring("json:".length());
            if (!expr.startsWith("/")) {
                throw new IllegalArgumentException(POINTER_REASON);
            }
            try {
                return new Json(JsonPointer.compile(expr));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(POINTER_REASON, e);
            }
        }
        throw new IllegalArgumentException(FORM_REASON);
    }

    /** True when {@link #parse} accepts {@code spec}; for the config spec's check. */
    static boolean isValid(String spec) {
        try {
            parse(spec);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The key, unless it is blank, too long, or not printable ASCII (it is echoed in a response header). */
    private static Found checked(String key, String where) {
        if (key.isBlank()) {
            return Found.problem("the idempotency key in " + where + " is blank");
        }
        if (key.length() > MAX_LENGTH) {
            return Found.problem("the idempotency key in " + where + " is " + key.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        if (!key.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return Found.problem("the idempotency key in " + where + " contains characters other than printable ASCII");
        }
        return Found.key(key);
    }
}
