package dev.junction.connectors.api;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Calls to a system through the same gates as its deliveries: its rate limit (the cluster's, shared among the nodes), its
 * circuit breaker, its bulkhead ({@code max-in-flight}) and its pause after a {@code Retry-After}. A poll's page request, a
 * lookup of a pipeline step: each is one attempt made when the gates allow, so a source never hammers a system that
 * deliveries are kept away from.
 *
 * <p>Thread-safe; never blocks. Implemented by the server, one per system, handed to sources in {@link SourceContext}.
 */
public interface SystemCalls {

    /**
     * Runs {@code attempt} once, when the system's gates allow. The stage completes with the attempt's value, or fails with
     * the attempt's {@link ConnectorException} (which the system's breaker and pause treat exactly like a delivery's: a
     * {@link RetriableException} with a {@code retryAfter} pauses every call to the system, on every node). When the call
     * was not attempted (it waited too long behind a pause or an open breaker, too many calls wait, the node stops) it fails
     * with a {@link RetriableException} of class {@code not-attempted}; try again later.
     *
     * <p>{@code attempt} is called on a server thread and must not block: return a stage of the client's own.
     */
    <T> CompletionStage<T> call(Supplier<CompletionStage<T>> attempt);

    /** Calls made at once, through no gates: for a connector's tests and for tools run outside a server. */
    SystemCalls DIRECT = new SystemCalls() {
        @Override
        public <T> CompletionStage<T> call(Supplier<CompletionStage<T>> attempt) {
            try {
                return attempt.get();
            } catch (RuntimeException e) {
                return java.util.concurrent.CompletableFuture.failedFuture(e);
            }
        }
    };
}
