package dev.junction.server.inbox;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a partition answers one batch of envelopes: each key known within the dedup window (in memory, in the lookup made for
 * this batch, or earlier in the same batch) is a duplicate when the body is the same and a conflict when it is not; every
 * other envelope is new. The window is wall-clock time here: a key accepted longer ago than the window is accepted again.
 * An envelope accepted is stamped with this partition's clock ({@code now}), not the one of the node it came in through, so
 * its acceptance and every later decision about its key are measured on one clock: two nodes' clocks 4 minutes apart
 * otherwise move the window's edge by 4 minutes (ClockSkewSpec: with a 3 minute window, keys sent again seconds later
 * were accepted again). Stateless.
 */
final class Dedup {
    private Dedup() {}

    /** The envelopes accepted, and an outcome per envelope of the batch in its order. */
    record Decided(List<Envelope> accepted, List<InboxPartition.Outcome> outcomes) {}

    /**
     * The keys of {@code envelopes} that memory does not know and that {@link DurableKeys} must be asked about: none while
     * memory still holds every key of the window, and after that only those its filter of dropped keys may hold.
     */
    static Set<String> toLookUp(List<Envelope> envelopes, KeyIndex memory) {
        Set<String> missing = new LinkedHashSet<>();
        if (memory.mayHaveEvicted()) {
            for (Envelope envelope : envelopes) {
                if (memory.get(envelope.idempotencyKey()) == null && memory.mayBeStored(envelope.idempotencyKey())) {
                    missing.add(envelope.idempotencyKey());
                }
            }
        }
        return missing;
    }

    static Decided decide(List<Envelope> envelopes, KeyIndex memory, Map<String, KeyIndex.Entry> lookedUp, long now, long windowMillis) {
        long horizon = now - windowMillis;
        List<Envelope> accepted = new ArrayList<>();
        List<InboxPartition.Outcome> outcomes = new ArrayList<>(envelopes.size());
        Map<String, Envelope> batchKeys = new HashMap<>();
        for (Envelope envelope : envelopes) {
            String key = envelope.idempotencyKey();
            KeyIndex.Entry known = memory.get(key);
            if (known == null) {
                known = lookedUp.get(key);
            }
            if (known != null && known.acceptedAt() < horizon) {
                known = null; // outside the window: the same key is a new message now
            }
            Envelope sameBatch = batchKeys.get(key);
            String originalId = known != null ? known.messageId() : sameBatch != null ? sameBatch.messageId() : null;
            long originalHash = known != null ? known.bodyHash() : sameBatch != null ? sameBatch.bodyHash() : 0;
            if (originalId == null) {
                Envelope stamped = envelope.toBuilder().receivedAt(now).build();
                accepted.add(stamped);
                batchKeys.put(key, stamped);
                outcomes.add(new InboxPartition.Outcome(InboxPartition.Admission.ACCEPTED, envelope.messageId()));
            } else {
                outcomes.add(new InboxPartition.Outcome(originalHash == envelope.bodyHash()
                        ? InboxPartition.Admission.DUPLICATE : InboxPartition.Admission.CONFLICT, originalId));
            }
        }
        return new Decided(accepted, outcomes);
    }
}
