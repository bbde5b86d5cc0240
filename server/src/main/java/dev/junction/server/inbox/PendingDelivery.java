package dev.junction.server.inbox;

import dev.junction.server.inbox.Settlement.Attempt;
import dev.junction.server.serialization.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * An envelope waiting for delivery: the unit a partition hands its delivery stream. Most are first deliveries to every
 * target; a replay names the targets that dead-lettered and carries their earlier attempts; a reprocessed copy goes to one
 * target through the current revision.
 *
 * @param envelope      the message
 * @param targets       the targets to deliver to; empty: all
 * @param earlier       attempts already made per target (after a replay)
 * @param mappings      which mapping versions to use
 * @param pinned        for {@link MappingChoice#ORIGINAL}, the version tags to use ({@code order-to-erp.jslt@v1})
 * @param acceptedSeqNr where the envelope is in the partition's journal (a lower bound), for reading its record back
 */
public record PendingDelivery(Envelope envelope, List<String> targets, Map<String, List<Attempt>> earlier, MappingChoice mappings,
                              List<String> pinned, long acceptedSeqNr) implements CborSerializable {

    public PendingDelivery {
        mappings = mappings == null ? MappingChoice.AS_ACCEPTED : mappings;
        pinned = pinned == null ? List.of() : pinned;
    }

    /** A first delivery to every target. */
    static PendingDelivery fresh(Envelope envelope, long acceptedSeqNr) {
        return new PendingDelivery(envelope, List.of(), Map.of(), MappingChoice.AS_ACCEPTED, List.of(), acceptedSeqNr);
    }

    /** Only to {@code targets}, through the integration's current revision (a reprocessed copy). */
    static PendingDelivery through(Envelope envelope, List<String> targets, long acceptedSeqNr) {
        return new PendingDelivery(envelope, targets, Map.of(), MappingChoice.CURRENT, List.of(), acceptedSeqNr);
    }
}
