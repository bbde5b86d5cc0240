package dev.junction.server.inbox;

import java.util.concurrent.CompletionStage;

/**
 * Takes one envelope through an integration's steps to its targets. Implemented by the delivery layer for each integration.
 * Called by the partition's delivery stream, many envelopes at once (each system bounds its own concurrency); must not block;
 * every end, including a dead letter, is a {@link Settlement}. The stage fails only with {@link Withdrawal#WITHDRAWN}.
 */
public interface DeliveryHandler {

    /**
     * Delivers {@code pending}: to its targets (all when empty; a replay names only those that dead-lettered), counting on from
     * its earlier attempts, with the mapping versions it asks for. Once {@code withdrawal} is asked, a delivery none of whose
     * attempts has started yet ends with {@link Withdrawal#WITHDRAWN} instead of starting one; one that has goes on to its end.
     */
    CompletionStage<Settlement> deliver(PendingDelivery pending, Withdrawal withdrawal);

    /** A withdrawal was asked: deliveries waiting for a system are to be answered now, not when their turn comes. */
    void withdrawalAsked();
}
