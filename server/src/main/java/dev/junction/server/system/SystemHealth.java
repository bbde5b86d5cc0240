package dev.junction.server.system;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What outlives a {@link SystemActor}'s restarts: how often its connector was started again and why it last failed to start.
 * Read by the admin API while the actor waits to restart and cannot answer. Thread-safe.
 */
final class SystemHealth {
    private final AtomicInteger starts = new AtomicInteger();
    private volatile String startFailure;
    private volatile boolean running;

    void startFailed(Throwable e) {
        running = false;
        startFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    void starting() {
        starts.incrementAndGet();
    }

    void started() {
        running = true;
    }

    boolean running() {
        return running;
    }

    /** Starts after the first, failed ones included. */
    int restarts() {
        return Math.max(0, starts.get() - 1);
    }

    String startFailure() {
        return startFailure;
    }
}
