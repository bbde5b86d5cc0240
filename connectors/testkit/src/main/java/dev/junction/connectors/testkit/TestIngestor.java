package dev.junction.connectors.testkit;

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
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An inbox in memory that behaves as the server's does (each key accepted once, the same key and body again a duplicate,
 * another body a conflict; answers on another thread) and that a test can make difficult: hold every answer until released
 * (to see that nothing is acknowledged before the inbox confirms), or refuse the first attempts of every key (to see that a
 * refusal leads to redelivery). It records everything a source handed it. Thread-safe.
 */
public final class TestIngestor implements Ingestor {
    private record Kept(String messageId, byte[] raw) {}

    private final Map<String, Kept> byKey = new ConcurrentHashMap<>();
    /** Keyed by the offer's sequence number: held offers are answered on several threads at once, in any order. */
    private final ConcurrentSkipListMap<Long, InboundMessage> accepted = new ConcurrentSkipListMap<>();
    private final AtomicLong offered = new AtomicLong();
    private final List<UnusableMessage> rejected = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Set<String> rejectedBodies = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    private volatile int refuseFirst;

    /** Holds every answer from now until {@link #release()}. */
    public void hold() {
        gate = new CompletableFuture<>();
    }

    /** Answers everything held, and everything from now on at once. */
    public void release() {
        gate.complete(null);
    }

    /** Answers {@link IngestResult.Unavailable} to the first {@code attempts} offers of every key. */
    public void refuseFirst(int attempts) {
        refuseFirst = attempts;
    }

    @Override
    public CompletionStage<IngestResult> ingest(InboundMessage message) {
        String key = message.idempotencyKey();
        int attempt = attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        long sequence = offered.incrementAndGet();
        return gate.thenApplyAsync(x -> {
            if (attempt <= refuseFirst) {
                return new IngestResult.Unavailable("refused by the test", Duration.ofMillis(200));
            }
            Kept fresh = new Kept("m-" + ids.incrementAndGet(), message.raw());
            Kept before = byKey.putIfAbsent(key, fresh);
            if (before == null) {
                accepted.put(sequence, message);
                return new IngestResult.Accepted(fresh.messageId());
            }
            return Arrays.equals(before.raw(), message.raw()) ? new IngestResult.Duplicate(before.messageId())
                    : new IngestResult.Conflict(before.messageId());
        });
    }

    @Override
    public CompletionStage<IngestResult> reject(UnusableMessage message) {
        return gate.thenApplyAsync(x -> {
            boolean fresh = rejectedBodies.add(message.errorClass() + ":" + Arrays.hashCode(message.raw()));
            if (fresh) {
                rejected.add(message);
                return new IngestResult.Accepted("r-" + ids.incrementAndGet());
            }
            return new IngestResult.Duplicate("r-seen");
        });
    }

    /** Messages accepted the first time, in the order the source offered them (not the order they were answered in). */
    public List<InboundMessage> accepted() {
        return List.copyOf(accepted.values());
    }

    /** The distinct keys accepted. */
    public Set<String> acceptedKeys() {
        return Set.copyOf(byKey.keySet());
    }

    /** Unusable messages recorded (each distinct one once). */
    public List<UnusableMessage> rejected() {
        return List.copyOf(rejected);
    }

    /** How many times the source offered {@code key}. */
    public int attempts(String key) {
        AtomicInteger n = attempts.get(key);
        return n == null ? 0 : n.get();
    }

    /** How many offers the source made in all. */
    public int offers() {
        return attempts.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
