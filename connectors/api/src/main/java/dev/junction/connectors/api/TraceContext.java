package dev.junction.connectors.api;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * W3C trace context (traceparent, https://www.w3.org/TR/trace-context/) as Junction carries it: the inbox keeps a message's
 * {@code traceparent} among its headers (starting a trace when the source brought none), and a sink sends a traceparent of the
 * same trace, with a span id of its own, on every attempt.
 */
public final class TraceContext {
    /** The header name, as kept in a message's headers (lower case). */
    public static final String HEADER = "traceparent";
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final String INVALID_TRACE = "0".repeat(32);

    private TraceContext() {}

    /** The trace id of {@code headers}' traceparent, or null when it has none or an invalid one. */
    public static String traceId(Map<String, String> headers) {
        String value = headers == null ? null : headers.get(HEADER);
        if (value == null) {
            return null;
        }
        var m = TRACEPARENT.matcher(value.trim().toLowerCase(java.util.Locale.ROOT));
        return m.matches() && !m.group(1).equals(INVALID_TRACE) ? m.group(1) : null;
    }

    /** A new traceparent: a new trace when {@code traceId} is null, else a new span in it. */
    public static String traceparent(String traceId) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String trace = traceId != null ? traceId : hex(random.nextLong()) + hex(random.nextLong());
        return "00-" + trace + "-" + hex(random.nextLong() | 1L) + "-01";
    }

    private static String hex(long value) {
        String hex = Long.toHexString(value);
        return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
    }
}
