package dev.junction.server.inbox;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Every partition's accepted idempotency keys, kept durably beside the journal (the {@code junction_inbox_keys} table): a
 * partition holds only its recent keys in memory, within a budget, and looks the others up here, a batch at a time. Written
 * by the partition after its events are committed; a key whose write was lost in a crash is written again when the partition
 * recovers the event. Implemented over JDBC; every method runs off the calling thread and never blocks it. Thread-safe.
 */
public interface DurableKeys {

    /** Stores (or replaces) the entries of partition {@code persistenceId}; completes when they are committed. */
    CompletionStage<Void> store(String persistenceId, List<KeyIndex.Entry> entries);

    /** The entries of {@code keys} that partition {@code persistenceId} stored, by key; the others are absent. */
    CompletionStage<Map<String, KeyIndex.Entry>> find(String persistenceId, Collection<String> keys);

    /**
     * Calls {@code each} with the key and acceptance time of every entry of partition {@code persistenceId} accepted at or
     * after {@code acceptedFrom}, on the thread that reads them (the caller's object must not be shared until completion).
     */
    CompletionStage<Void> scan(String persistenceId, long acceptedFrom, java.util.function.ObjLongConsumer<String> each);

    /** Where a message is, by its id, in whichever partition stored it. */
    CompletionStage<Optional<Stored>> byMessageId(String messageId);

    /** Deletes the entries accepted before {@code acceptedBefore} (epoch ms); completes with how many. */
    CompletionStage<Integer> expire(long acceptedBefore);

    /** A stored entry and its partition. */
    record Stored(String persistenceId, KeyIndex.Entry entry) {}
}
