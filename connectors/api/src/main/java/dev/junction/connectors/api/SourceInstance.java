package dev.junction.connectors.api;

import java.util.concurrent.CompletionStage;

/**
 * A running source: it receives or fetches messages and hands each to {@link SourceContext#ingestor()}. It acknowledges its
 * upstream (deletes a file, acks a queue message, answers an HTTP request) only once the returned stage says the message is
 * accepted or a duplicate: that is what makes acceptance durable.
 *
 * <p>{@link #start()} is called once, after the server can accept messages, on the main thread; it must return quickly and run
 * its work on streams or on {@link SourceContext#blockingExecutor()}. {@link #stop()} is called once at shutdown; it must stop
 * taking new messages, and its stage completes when in-flight messages are settled or given up unacknowledged.
 */
public interface SourceInstance {

    /** Starts receiving. The default does nothing: push sources such as {@link HttpIngress} are driven by the server. */
    default void start() {}

    /** Stops receiving; the default is already complete. */
    default CompletionStage<Void> stop() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
}
