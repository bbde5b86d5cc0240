package dev.junction.connectors.http;

import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Ingestor;
import dev.junction.connectors.api.UnusableMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory inbox for webhook tests: deduplicates by key and body, and can be switched to refuse or to fail. */
final class MemoryIngestor implements Ingestor {
    enum Mode { NORMAL, UNAVAILABLE, FAILING }

    private record Entry(String messageId, byte[] raw) {}

    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    final List<InboundMessage> received = new CopyOnWriteArrayList<>();
    volatile Mode mode = Mode.NORMAL;
    volatile Duration retryAfter = Duration.ofMillis(1500);

    @Override
    public CompletionStage<IngestResult> ingest(InboundMessage message) {
        received.add(message);
        switch (mode) {
            case UNAVAILABLE:
                return CompletableFuture.completedFuture(new IngestResult.Unavailable("journal down", retryAfter));
            case FAILING:
                return CompletableFuture.failedFuture(new IllegalStateException("com.example.internal.Boom"));
            default:
                break;
        }
        Entry fresh = new Entry("msg-" + ids.incrementAndGet(), message.raw());
        Entry existing = byKey.putIfAbsent(message.idempotencyKey(), fresh);
        IngestResult result = existing == null ? new IngestResult.Accepted(fresh.messageId())
                : Arrays.equals(existing.raw(), message.raw()) ? new IngestResult.Duplicate(existing.messageId())
                : new IngestResult.Conflict(existing.messageId());
        // Asynchronous like the real inbox, so the ingress never relies on an already-completed stage.
        return CompletableFuture.supplyAsync(() -> result);
    }

    @Override
    public CompletionStage<IngestResult> reject(UnusableMessage message) {
        throw new AssertionError("a webhook answers 400 to an unusable message; it never records one: " + message.reason());
    }
}
