package dev.junction.server.inbox;

import dev.junction.server.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The idempotency keys a partition remembers, oldest first, for deduplication. Bounded by the dedup window and by a count;
 * expiry is measured against the newest accepted key, not the wall clock, so replaying the journal rebuilds the same index.
 * Mutable; used only inside the partition's actor.
 */
final class KeyIndex {

    /**
     * What is remembered of an accepted key.
     *
     * @param sequenceNr the journal sequence number of its {@code Accepted} event, where its lineage starts; 0 if unknown
     */
    record Entry(String key, String messageId, long bodyHash, long acceptedAt, long sequenceNr) implements CborSerializable {}

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> keysById = new java.util.HashMap<>();
    private final long windowMillis;
    private final int maxKeys;

    KeyIndex(Duration window, int maxKeys) {
        this.windowMillis = window.toMillis();
        this.maxKeys = maxKeys;
    }

    Entry get(String key) {
        return entries.get(key);
    }

    Entry byMessageId(String messageId) {
        String key = keysById.get(messageId);
        return key == null ? null : entries.get(key);
    }

    void put(Entry entry) {
        entries.put(entry.key(), entry);
        keysById.put(entry.messageId(), entry.key());
        long horizon = entry.acceptedAt() - windowMillis;
        Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
        while (oldest.hasNext()) {
            Entry e = oldest.next().getValue();
            if (entries.size() > maxKeys || e.acceptedAt() < horizon) {
                oldest.remove();
                keysById.remove(e.messageId());
            } else {
                break;
            }
        }
    }

    int size() {
        return entries.size();
    }

    /** A copy for a snapshot, oldest first. */
    List<Entry> copy() {
        return new ArrayList<>(entries.values());
    }

    void restore(List<Entry> saved) {
        entries.clear();
        keysById.clear();
        saved.forEach(e -> {
            entries.put(e.key(), e);
            keysById.put(e.messageId(), e.key());
        });
    }
}
