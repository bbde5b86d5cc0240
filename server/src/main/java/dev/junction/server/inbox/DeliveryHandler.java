package dev.junction.server.inbox;

import java.util.concurrent.CompletionStage;

/**
 * Takes one envelope through an integration's steps to its targets. Implemented by the delivery layer for each integration.
 * Called by the partition's delivery stream, many envelopes at once (each system bounds its own concurrency); must not block;
 * the stage never fails: every end, including a dead letter, is a {@link Settlement}.
 */
public interface DeliveryHandler {

    /**
     * Delivers {@code pending}: to its targets (all when empty; a replay names only those that dead-lettered), counting on from
     * its earlier attempts, with the mapping versions it asks for.
     */
    CompletionStage<Settlement> deliver(PendingDelivery pending);
}
