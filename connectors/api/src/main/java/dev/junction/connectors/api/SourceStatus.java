package dev.junction.connectors.api;

import java.time.Duration;

/**
 * Where a running source tells the server how its connection is doing; operators see it under the source's system in
 * {@code GET /api/v1/systems/<name>}. Report every change: connected, lost and reconnecting (with when it tries again).
 * Thread-safe and cheap; call it from any thread, never per message.
 */
public interface SourceStatus {

    /** Connected and receiving; {@code detail} says to what ({@code queue shop.orders on 127.0.0.1:5672}). */
    void connected(String detail);

    /** Not connected: {@code reason} says why; the source tries again after {@code retryIn} (null when it will not). */
    void disconnected(String reason, Duration retryIn);

    /** A status that goes nowhere, for tests and tools. */
    static SourceStatus ignored() {
        return new SourceStatus() {
            @Override
            public void connected(String detail) {}

            @Override
            public void disconnected(String reason, Duration retryIn) {}
        };
    }
}
