package dev.junction.connectors.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts requests between hand-off to the inbox and their reply, so {@link WebhookIngress#stop()} can refuse new ones and
 * complete once the last one settled. Lock-free; {@link #enter} and {@link #exit} are called from any request thread.
 */
final class InFlight {
    private final AtomicLong count = new AtomicLong();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean stopping;

    /** Registers one request; false once stopping, and then the caller must not go on. */
    boolean enter() {
        // Increment before reading the flag and stop() sets the flag before reading the count: one of the two sees the other.
        count.incrementAndGet();
        if (stopping) {
            exit();
            return false;
        }
        return true;
    }

    /** Settles one request registered with {@link #enter}. */
    void exit() {
        if (count.decrementAndGet() == 0 && stopping) {
            drained.complete(null);
        }
    }

    /** Refuses further requests; completes when none is left in flight. */
    CompletionStage<Void> stop() {
        stopping = true;
        if (count.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }
}
