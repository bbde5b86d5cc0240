package dev.junction.server.inbox;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Takes one envelope through an integration's steps to its targets. Implemented by the delivery layer for each integration.
 * Called by the partition's delivery stream, many envelopes at once (each system bounds its own concurrency); must not block;
 * the stage never fails: every end, including a dead letter, is a {@link Settlement}.
 */
public interface DeliveryHandler {

    /**
     * @param targets the targets to deliver to, by name; empty: all of them (a replay names only those that dead-lettered)
     * @param earlier attempts already made at each target before this delivery (a replay goes on counting), by target name
     */
    CompletionStage<Settlement> deliver(Envelope envelope, Set<String> targets, java.util.Map<String, java.util.List<Settlement.Attempt>> earlier);
}
