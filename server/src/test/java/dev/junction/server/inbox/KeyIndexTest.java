package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The in-memory key index and its filter of dropped keys: which misses must be looked up in the durable index. */
class KeyIndexTest {
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void everyKeyDroppedForTheBudgetMayBeStoredAndMostNewKeysAreNot() {
        // Sized for 40,000 keys over the window, so 10,000 in the quarter these fall in.
        KeyIndex index = new KeyIndex(WINDOW, 100, 40_000);
        List<String> keys = putAndStore(index, 10_000, T0);
        assertEquals(100, index.size());
        assertTrue(index.mayHaveEvicted());
        for (String key : keys) {
            assertTrue(index.get(key) != null || index.mayBeStored(key), key + " was dropped but the filter denies it");
        }
        long falsePositives = IntStream.range(0, 10_000).filter(i -> index.mayBeStored("new-" + i)).count();
        assertTrue(falsePositives < 300, "new keys taken for stored: " + falsePositives + " of 10,000");
        List<Envelope> batch = new ArrayList<>(envelopes("new-", 0, 1_000));
        batch.addAll(envelopes("key-", 0, 100)); // dropped long ago: must be looked up
        var lookUp = Dedup.toLookUp(batch, index);
        assertTrue(lookUp.containsAll(keys.subList(0, 100)));
        assertTrue(lookUp.size() < 100 + 50, "looked up " + lookUp.size() + " keys for 100 stored and 1,000 new");
    }

    @Test
    void aRestoredIndexLooksUpEveryMissUntilTheStoredKeysAreLoaded() {
        KeyIndex before = new KeyIndex(WINDOW, 100, 20_000);
        List<String> keys = putAndStore(before, 1_000, T0);
        KeyIndex.Saved saved = before.copy();

        KeyIndex after = new KeyIndex(WINDOW, 100, 20_000);
        after.restore(saved);
        assertTrue(after.droppedKeysUnknown());
        assertTrue(after.mayBeStored("never-seen"), "before the load every miss may be stored");

        // Keys dropped while the load runs are kept and joined to what the load brings.
        List<String> later = putAndStore(after, 300, T0 + 60_000, "later-");
        StoredKeyFilter loaded = after.newFilter();
        keys.forEach(k -> loaded.add(k, T0)); // what the durable index held when the load began
        after.droppedKeysLoaded(loaded);

        assertFalse(after.droppedKeysUnknown());
        for (String key : keys) {
            assertTrue(after.get(key) != null || after.mayBeStored(key), key);
        }
        for (String key : later) {
            assertTrue(after.get(key) != null || after.mayBeStored(key), key + " dropped during the load");
        }
        assertFalse(after.mayBeStored("never-seen-either") && after.mayBeStored("nor-this") && after.mayBeStored("nor-that"));
    }

    @Test
    void aSnapshotTakenBeforeAnyKeyWasDroppedNeedsNoLoad() {
        KeyIndex before = new KeyIndex(WINDOW, 1_000, 20_000);
        putAndStore(before, 500, T0);
        KeyIndex after = new KeyIndex(WINDOW, 1_000, 20_000);
        after.restore(before.copy());
        assertFalse(after.droppedKeysUnknown());
        assertFalse(after.mayHaveEvicted());
    }

    @Test
    void spansOlderThanTheWindowAreForgottenAndNoNewerOne() {
        StoredKeyFilter filter = new StoredKeyFilter(WINDOW.toMillis(), 10_000);
        long span = WINDOW.toMillis() / StoredKeyFilter.GENERATIONS;
        long start = Math.floorDiv(T0, span) * span; // where a span begins
        filter.add("old", start + span - 1);
        filter.add("recent", start + 3 * span);
        filter.forgetBefore(start + span - 1); // the horizon falls inside the first span: it still holds keys of the window
        assertTrue(filter.mightContain("old"));
        filter.forgetBefore(start + span); // all of the first span is older than the horizon now
        assertFalse(filter.mightContain("old"));
        assertTrue(filter.mightContain("recent"));
        filter.forgetBefore(start + 2 * span + 1);
        assertFalse(filter.mightContain("old"));
        assertTrue(filter.mightContain("recent"));
        assertEquals(1, filter.spans());
    }

    private static List<String> putAndStore(KeyIndex index, int count, long at) {
        return putAndStore(index, count, at, "key-");
    }

    private static List<String> putAndStore(KeyIndex index, int count, long at, String prefix) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = prefix + i;
            keys.add(key);
            index.put(new KeyIndex.Entry(key, "m-" + prefix + i, i, at + i, i + 1));
            if (i % 50 == 49) {
                index.stored(index.drainToStore());
            }
        }
        index.stored(index.drainToStore());
        return keys;
    }

    private static List<Envelope> envelopes(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> Envelope.builder().messageId("m-" + prefix + i).integration("orders")
                .idempotencyKey(prefix + i).raw(new byte[0]).headers(Map.of()).build()).toList();
    }
}
