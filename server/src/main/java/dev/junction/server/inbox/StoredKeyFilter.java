package dev.junction.server.inbox;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which keys of the dedup window a partition may have in {@link DurableKeys} without holding them in memory: a Bloom filter,
 * so "no" is certain and "maybe" costs a lookup. It lets a partition whose memory has dropped keys take a new key as new
 * without asking the database, which is what most keys are.
 *
 * <p>A Bloom filter cannot forget, so the window is cut into {@value #GENERATIONS} spans of acceptance time with a filter
 * each, and a span is dropped once all of it is older than the window. Each span's filter is sized for an equal share of
 * {@code expectedKeys}; more keys than that only raise the false-positive rate (more lookups), never lose a key. Filters
 * are made when a key is first added to their span, so a partition that never drops a key from memory has none.
 * Mutable, not thread-safe: used inside one partition's actor, or built on one thread and then handed to it.
 */
final class StoredKeyFilter {
    static final int GENERATIONS = 4;
    private static final double FALSE_POSITIVES = 0.01;

    private final long spanMillis;
    private final int keysPerSpan;
    /** By span number (acceptance time / span length). */
    private final TreeMap<Long, BloomFilter<CharSequence>> spans = new TreeMap<>();

    StoredKeyFilter(long windowMillis, int expectedKeys) {
        this.spanMillis = Math.max(1, windowMillis / GENERATIONS);
        this.keysPerSpan = Math.max(1000, expectedKeys / GENERATIONS);
    }

    void add(String key, long acceptedAt) {
        spans.computeIfAbsent(Math.floorDiv(acceptedAt, spanMillis), n -> newSpan()).put(key);
    }

    boolean mightContain(String key) {
        for (BloomFilter<CharSequence> span : spans.values()) {
            if (span.mightContain(key)) {
                return true;
            }
        }
        return false;
    }

    /** Drops the spans that end before {@code horizon}: none of their keys is in the window any more. */
    void forgetBefore(long horizon) {
        Iterator<Map.Entry<Long, BloomFilter<CharSequence>>> oldest = spans.entrySet().iterator();
        while (oldest.hasNext() && (oldest.next().getKey() + 1) * spanMillis <= horizon) {
            oldest.remove();
        }
    }

    /** Adds every key {@code other} holds; both were made with the same window and size. */
    void addAll(StoredKeyFilter other) {
        other.spans.forEach((n, span) -> spans.computeIfAbsent(n, k -> newSpan()).putAll(span));
    }

    int spans() {
        return spans.size();
    }

    private BloomFilter<CharSequence> newSpan() {
        return BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), keysPerSpan, FALSE_POSITIVES);
    }
}
