package dev.junction.server.inbox;

import java.util.Set;

/** What the inbox needs to know of the integrations on this node; a reload may add integrations and revisions at any time. */
public interface Integrations {

    /** The names of the integrations known here. */
    Set<String> names();

    /** How {@code integration}'s envelopes are delivered, or null when this node does not know it. */
    DeliveryHandler handler(String integration);

    /**
     * What new messages of {@code integration} are accepted under: the current revision and its mapping versions, read together
     * so a reload between two reads cannot mix them. Computed once per revision: this is called for every message.
     */
    Revision accepting(String integration);

    /**
     * A revision's id, the tags of its mapping versions ({@code order-to-erp.jslt@v2}), and how its messages are ordered:
     * {@code partitionKeys} null for no order ({@code ordering = none}).
     */
    record Revision(String id, java.util.List<String> mappings, PartitionKeys partitionKeys) {

        public Revision(String id, java.util.List<String> mappings) {
            this(id, mappings, null);
        }
    }
}
