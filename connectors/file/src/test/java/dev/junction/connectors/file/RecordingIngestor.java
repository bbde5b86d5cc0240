package dev.junction.connectors.file;

import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Ingestor;
import dev.junction.connectors.api.UnusableMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny in-memory inbox for tests: accepts each key once, answers the same key with the same body as a duplicate and with
 * another body as a conflict, and can be told to answer {@link IngestResult.Unavailable} (for every key, or for some).
 * Thread-safe.
 */
final class RecordingIngestor implements Ingestor {
    private record Accepted(String messageId, byte[] raw) {}

    private final Map<String, Accepted> byKey = new ConcurrentHashMap<>();
    private final List<InboundMessage> accepted = new CopyOnWriteArrayList<>();
    private final List<String> attempts = new CopyOnWriteArrayList<>();
    private final Set<String> unavailableKeys = ConcurrentHashMap.newKeySet();
    private volatile boolean unavailable;

    @Override
    public CompletionStage<IngestResult> ingest(InboundMessage message) {
        String key = message.idempotencyKey();
        attempts.add(key);
        if (unavailable || unavailableKeys.contains(key)) {
            return CompletableFuture.completedFuture(new IngestResult.Unavailable("journal down (test)", Duration.ofSeconds(1)));
        }
        Accepted fresh = new Accepted("m-" + key, message.raw());
        Accepted before = byKey.putIfAbsent(key, fresh);
        IngestResult result;
        if (before == null) {
            accepted.add(message);
            result = new IngestResult.Accepted(fresh.messageId());
        } else if (Arrays.equals(before.raw(), message.raw())) {
            result = new IngestResult.Duplicate(before.messageId());
        } else {
            result = new IngestResult.Conflict(before.messageId());
        }
        // answer on another thread, as the real inbox does
        return CompletableFuture.supplyAsync(() -> result);
    }

    @Override
    public CompletionStage<IngestResult> reject(UnusableMessage message) {
        throw new AssertionError("the directory source moves unusable files to .failed/; it never records them: " + message.reason());
    }

    /** Answers Unavailable to everything while {@code down}. */
    void setUnavailable(boolean down) {
        unavailable = down;
    }

    /** Answers Unavailable to these keys until {@link #clearUnavailableKeys()}. */
    void setUnavailableKeys(String... keys) {
        unavailableKeys.addAll(List.of(keys));
    }

    void clearUnavailableKeys() {
        unavailableKeys.clear();
    }

    /** Messages accepted for the first time, in the order they came. */
    List<InboundMessage> accepted() {
        return List.copyOf(accepted);
    }

    List<String> acceptedKeys() {
        return accepted.stream().map(InboundMessage::idempotencyKey).toList();
    }

    /** Every key offered, including duplicates and refused ones. */
    List<String> attempts() {
        return List.copyOf(attempts);
    }
}
