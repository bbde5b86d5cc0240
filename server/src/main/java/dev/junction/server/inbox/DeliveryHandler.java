package dev.junction.server.inbox;

import java.util.concurrent.CompletionStage;

/**
 * Takes one envelope through an integration's steps to its targets. Implemented by the delivery layer for each integration.
 * Called by the partition's delivery stream, concurrently up to {@link #parallelism()}; must not block; the stage never fails:
 * every end, including a dead letter, is a {@link Settlement}.
 */
public interface DeliveryHandler {

    CompletionStage<Settlement> deliver(Envelope envelope);

    /** Envelopes of one partition delivered at once. */
    int parallelism();
}
