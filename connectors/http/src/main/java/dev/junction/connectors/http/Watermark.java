package dev.junction.connectors.http;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * The newest value of an item field a poll has seen ({@code watermark { from = "/updatedAt" }}): numbers compare as numbers,
 * anything else as text, which orders ISO-8601 timestamps written in one form (as APIs write them) correctly. Stateless.
 */
final class Watermark {

    private Watermark() {}

    /** The value of {@code item} at {@code from} as text; null when missing, null or not a scalar. */
    static String of(JsonNode item, JsonPointer from) {
        JsonNode value = item.at(from);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    /** The newer of two values; either may be null. */
    static String newest(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return compare(a, b) >= 0 ? a : b;
    }

    static int compare(String a, String b) {
        BigDecimal x = number(a);
        BigDecimal y = number(b);
        return x != null && y != null ? x.compareTo(y) : a.compareTo(b);
    }

    private static BigDecimal number(String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
