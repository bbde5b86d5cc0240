package dev.junction.server.inbox;

import java.util.Set;

/** What the inbox needs to know of the integrations on this node; a reload may add integrations and revisions at any time. */
public interface Integrations {

    /** The names of the integrations known here. */
    Set<String> names();

    /** How {@code integration}'s envelopes are delivered, or null when this node does not know it. */
    DeliveryHandler handler(String integration);

    /** The revision new messages of {@code integration} are accepted under. */
    String currentRevision(String integration);

    /** The mapping versions of that revision, as tags ({@code order-to-erp.jslt@v2}). */
    java.util.List<String> currentMappings(String integration);
}
