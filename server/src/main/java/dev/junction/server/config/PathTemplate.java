package dev.junction.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonPointer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An enrich step's path, {@code /stock/{/lines/0/sku}}: literal text and JSON pointers in braces into the message, each
 * replaced by the value it points at, URL-encoded (so a value cannot add a path segment or a query). Immutable.
 *
 * @param source the template as configured
 * @param parts  literal text ({@link String}) and pointers ({@link JsonPointer}) in order
 */
public record PathTemplate(String source, List<Object> parts) {

    /** The template, or an {@link IllegalArgumentException} saying what is wrong with it. */
    public static PathTemplate parse(String source) {
        List<Object> parts = new ArrayList<>();
        int at = 0;
        while (at < source.length()) {
            int open = source.indexOf('{', at);
            if (open < 0) {
                parts.add(source.substring(at));
                break;
            }
            int close = source.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("the brace at " + open + " is never closed");
            }
            if (open > at) {
                parts.add(source.substring(at, open));
            }
            String pointer = source.substring(open + 1, close);
            if (!pointer.startsWith("/")) {
                throw new IllegalArgumentException("{" + pointer + "} must be a JSON pointer into the message, e.g. {/lines/0/sku}");
            }
            parts.add(JsonPointer.compile(pointer));
            at = close + 1;
        }
        if (source.indexOf('}', source.lastIndexOf('{') + 1) != source.lastIndexOf('}') || parts.stream().noneMatch(JsonPointer.class::isInstance)) {
            throw new IllegalArgumentException("must name at least one value of the message in braces, e.g. /stock/{/lines/0/sku}");
        }
        return new PathTemplate(source, List.copyOf(parts));
    }

    /** The path for {@code message}; an {@link IllegalArgumentException} when a pointer finds no string or number there. */
    public String expand(JsonNode message) {
        return expand(message, java.util.function.UnaryOperator.identity());
    }

    /**
     * The path for {@code message} with each value passed through {@code shown} before it is encoded: the path as it may be
     * shown when {@code shown} masks values, while {@link #expand(JsonNode)} gives the one read.
     */
    public String expand(JsonNode message, java.util.function.UnaryOperator<String> shown) {
        StringBuilder path = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof JsonPointer pointer) {
                JsonNode value = message.at(pointer);
                if (!(value.isTextual() || value.isNumber()) || value.asText().isEmpty()) {
                    throw new IllegalArgumentException(pointer + " must be a non-empty string or a number; it is "
                            + (value.isMissingNode() ? "missing" : value.toString()));
                }
                path.append(URLEncoder.encode(shown.apply(value.asText()), StandardCharsets.UTF_8).replace("+", "%20"));
            } else {
                path.append(part);
            }
        }
        return path.toString();
    }
}
