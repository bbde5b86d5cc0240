package dev.junction.server.inbox;

import dev.junction.server.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The idempotency keys a partition holds in memory, oldest first: every key of the dedup window while they fit in the
 * budget ({@code dedup-max-keys}), the most recent ones beyond it. Every key is also written to {@link DurableKeys}; a key is
 * dropped from memory only once it is stored there, so a key the partition no longer holds is always found by a lookup.
 * Whether a lookup is needed at all follows from {@link #mayHaveEvicted()}: until a key of the window has been dropped,
 * memory knows every key and a miss is a new key. After that, a {@link StoredKeyFilter} of the dropped keys says which
 * misses may be stored ({@link #mayBeStored}); after a restart it is loaded from {@link DurableKeys} once
 * ({@link #droppedKeysUnknown()}), and until then every miss may be. Expiry is measured against the newest accepted key, not the
 * wall clock, so replaying the journal rebuilds the same index. Mutable; used only inside the partition's actor.
 */
public final class KeyIndex {

    /**
     * What is remembered of an accepted key.
     *
     * @param sequenceNr the journal sequence number of its {@code Accepted} event, where its lineage starts; 0 if unknown
     */
    public record Entry(String key, String messageId, long bodyHash, long acceptedAt, long sequenceNr) implements CborSerializable {}

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> keysById = new java.util.HashMap<>();
    private final long windowMillis;
    private final int maxKeys;
    /** Keys put and not yet known to be in {@link DurableKeys}: never dropped from memory. */
    private final java.util.Set<String> unstored = new java.util.HashSet<>();
    /** The acceptance time of the newest entry dropped for the budget (not for age): 0 when none was. */
    private long evictedNewest;
    private long newest;
    /** Entries to write to {@link DurableKeys}, oldest first: put since the last {@link #drainToStore()}. */
    private List<Entry> toStore = new ArrayList<>();
    private final int filterKeys;
    /** The keys of the window dropped for the budget: in this index's life, and once loaded, before it. */
    private StoredKeyFilter dropped;
    /** False while keys may have been dropped before this index was restored and {@link #dropped} is not loaded yet. */
    private boolean droppedComplete = true;

    KeyIndex(Duration window, int maxKeys, int filterKeys) {
        this.windowMillis = window.toMillis();
        this.maxKeys = maxKeys;
        this.filterKeys = filterKeys;
        this.dropped = newFilter();
    }

    Entry get(String key) {
        return entries.get(key);
    }

    Entry byMessageId(String messageId) {
        String key = keysById.get(messageId);
        return key == null ? null : entries.get(key);
    }

    void put(Entry entry) {
        Entry replaced = entries.remove(entry.key()); // a key accepted again after the window: it is the newest now
        if (replaced != null) {
            keysById.remove(replaced.messageId());
        }
        entries.put(entry.key(), entry);
        keysById.put(entry.messageId(), entry.key());
        newest = Math.max(newest, entry.acceptedAt());
        unstored.add(entry.key());
        toStore.add(entry);
        evict();
    }

    /** The entries to store now; they are in flight until {@link #stored} or {@link #notStored}. */
    List<Entry> drainToStore() {
        List<Entry> drained = toStore;
        toStore = new ArrayList<>();
        return drained;
    }

    /** Storing {@code entries} failed: they are stored with the next batch. */
    void notStored(List<Entry> entries) {
        List<Entry> again = new ArrayList<>(entries);
        again.addAll(toStore);
        toStore = again;
    }

    boolean hasToStore() {
        return !toStore.isEmpty();
    }

    /** These entries are stored durably: those beyond the budget may go. */
    void stored(List<Entry> entries) {
        for (Entry e : entries) {
            Entry current = this.entries.get(e.key());
            if (current == null || current.messageId().equals(e.messageId())) {
                unstored.remove(e.key());
            }
        }
        evict();
    }

    /**
     * True when a key of the window may have been dropped for the budget: a key not in memory must then be looked up in
     * {@link DurableKeys} before it is taken as new.
     */
    boolean mayHaveEvicted() {
        return evictedNewest > 0 && evictedNewest >= newest - windowMillis;
    }

    /**
     * False only when {@code key}, which memory does not hold, cannot be in {@link DurableKeys} within the window: it is new.
     * True for a few new keys too (the filter's false positives), and for every key until the dropped keys are loaded.
     */
    boolean mayBeStored(String key) {
        return !droppedComplete || dropped.mightContain(key);
    }

    /** True when the keys dropped before a restart must be loaded ({@link #newFilter()}, then {@link #droppedKeysLoaded}). */
    boolean droppedKeysUnknown() {
        return !droppedComplete;
    }

    /** An empty filter of the shape this index uses, to load the stored keys of the window into. */
    StoredKeyFilter newFilter() {
        return new StoredKeyFilter(windowMillis, filterKeys);
    }

    /** {@code stored} holds every key of the window {@link DurableKeys} had when loading began; those dropped since are added. */
    void droppedKeysLoaded(StoredKeyFilter stored) {
        stored.addAll(dropped);
        dropped = stored;
        droppedComplete = true;
        dropped.forgetBefore(horizon());
    }

    /** The oldest acceptance time that still counts as a duplicate. */
    long horizon() {
        return newest - windowMillis;
    }

    private void evict() {
        long horizon = newest - windowMillis;
        Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
        while (oldest.hasNext()) {
            Entry e = oldest.next().getValue();
            if (unstored.contains(e.key())) {
                break; // the oldest is not stored yet: it stays, and so do the newer ones, until it is
            }
            boolean expired = e.acceptedAt() < horizon;
            boolean overBudget = entries.size() > maxKeys;
            if (!expired && !overBudget) {
                break;
            }
            oldest.remove();
            keysById.remove(e.messageId());
            if (!expired) {
                evictedNewest = Math.max(evictedNewest, e.acceptedAt());
                dropped.add(e.key(), e.acceptedAt());
            }
        }
        dropped.forgetBefore(horizon);
    }

    int size() {
        return entries.size();
    }

    /**
     * A copy for a snapshot, oldest first. While memory knows every key of the window, all of them (recovery then needs no
     * lookups); once keys have left memory, only those not stored yet: the others are in {@link DurableKeys} and recovery
     * looks them up, so a snapshot stays small however many keys the budget allows.
     */
    Saved copy() {
        if (!mayHaveEvicted()) {
            return new Saved(new ArrayList<>(entries.values()), List.copyOf(unstored), evictedNewest);
        }
        List<Entry> notStored = entries.values().stream().filter(e -> unstored.contains(e.key())).toList();
        return new Saved(notStored, List.copyOf(unstored), Math.max(evictedNewest, newest));
    }

    void restore(Saved saved) {
        entries.clear();
        keysById.clear();
        evictedNewest = saved.evictedNewest();
        newest = evictedNewest;
        toStore = new ArrayList<>();
        unstored.clear();
        // Snapshots written before keys were stored durably have no list: every key is stored again.
        java.util.Set<String> notStored = saved.unstored() == null ? null : java.util.Set.copyOf(saved.unstored());
        saved.entries().forEach(e -> {
            entries.put(e.key(), e);
            keysById.put(e.messageId(), e.key());
            newest = Math.max(newest, e.acceptedAt());
            if (notStored == null || notStored.contains(e.key())) {
                unstored.add(e.key()); // not stored when the snapshot was taken: stored again after recovery
                toStore.add(e);
            }
        });
        // Keys dropped before the snapshot are only in DurableKeys: until they are loaded, every miss may be one of them.
        dropped = newFilter();
        droppedComplete = !mayHaveEvicted();
    }

    /** The persisted form: the entries, the keys among them not yet stored durably, and when the newest dropped key was accepted. */
    public record Saved(List<Entry> entries, List<String> unstored, long evictedNewest) implements CborSerializable {}
}
