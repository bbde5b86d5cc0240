package dev.junction.connectors.api;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * W3C trace context (traceparent, https://www.w3.org/TR/trace-context/) as Junction carries it: the inbox keeps a message's
 * {@code traceparent} among its headers (starting a trace when the source brought none). For each attempt the server makes a
 * span of its own in the same trace and hands the sink a {@link SinkRecord} whose {@code traceparent} header names that span:
 * a sink sends it as it is (it is what the server exports when spans are exported, so the target's spans hang under it).
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

    /** The span id of {@code headers}' traceparent (the caller's span), or null when it has none or an invalid one. */
    public static String spanId(Map<String, String> headers) {
        String value = headers == null ? null : headers.get(HEADER);
        if (value == null || traceId(headers) == null) {
            return null;
        }
        return value.trim().toLowerCase(java.util.Locale.ROOT).substring(36, 52);
    }

    /** Whether {@code headers}' traceparent asks for the trace to be recorded (its sampled flag); true when it has none. */
    public static boolean sampled(Map<String, String> headers) {
        if (traceId(headers) == null) {
            return true;
        }
        String flags = headers.get(HEADER).trim().substring(53, 55);
        return (Integer.parseInt(flags, 16) & 1) == 1;
    }

    /** The traceparent of span {@code spanId} in trace {@code traceId}. */
    public static String traceparent(String traceId, String spanId, boolean sampled) {
        return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
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
