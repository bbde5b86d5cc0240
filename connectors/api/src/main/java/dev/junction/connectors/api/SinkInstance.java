package dev.junction.connectors.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A running sink for one target. The server calls {@link #send} once per delivery attempt, concurrently up to the target
 * system's in-flight limit, and owns retries, back-off and dead-lettering; the sink only makes one attempt and classifies its
 * outcome.
 *
 * <p>Why a function and not a {@code Flow}: every record needs exactly one outcome that the server persists; a stage could drop,
 * reorder or fuse outcomes, a function cannot, and the server keeps control of parallelism and back-pressure in its own streams.
 *
 * <p>{@link #send} is called on a Pekko dispatcher thread and must not block: run blocking work on
 * {@link SinkContext#blockingExecutor()}. {@link #close()} is called once at shutdown after the last attempt settled.
 */
public interface SinkInstance {

    /**
     * Makes one attempt to apply the record's effect, carrying {@link SinkRecord#idempotencyKey()} in the target's native place.
     * The stage completes normally when the target confirmed the effect; exceptionally with a {@link RetriableException} or a
     * {@link PermanentException} otherwise. Any other exception is treated as retriable.
     */
    CompletionStage<Void> send(SinkRecord record);

    /** Releases connections and files; the default does nothing. */
    default CompletionStage<Void> close() {
        return CompletableFuture.completedFuture(null);
    }
}
