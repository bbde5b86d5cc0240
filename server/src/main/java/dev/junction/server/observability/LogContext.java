package dev.junction.server.observability;

import org.slf4j.MDC;

/**
 * The MDC of a log line about one message: {@code messageId}, {@code integration}, {@code idempotencyKey}, {@code traceId}
 * (with {@code JUNCTION_LOG_FORMAT=json} each is a field of the line). Deliveries hop between threads (stream stages, the
 * system actor's replies, retry timers), so the context is set where the line is written, from the message itself, and
 * removed after it: {@code try (var ignored = LogContext.of(...)) { log.warn(...); }}.
 */
public final class LogContext implements AutoCloseable {
    private static final String[] KEYS = {"messageId", "integration", "idempotencyKey", "traceId"};

    private LogContext() {}

    public static LogContext of(String messageId, String integration, String idempotencyKey, String traceId) {
        String[] values = {messageId, integration, idempotencyKey, traceId};
        for (int i = 0; i < KEYS.length; i++) {
            if (values[i] != null) {
                MDC.put(KEYS[i], values[i]);
            }
        }
        return new LogContext();
    }

    @Override
    public void close() {
        for (String key : KEYS) {
            MDC.remove(key);
        }
    }
}
