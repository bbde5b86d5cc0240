package dev.junction.server.chaos;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every effect the targets applied, per target system and idempotency key AND per target system and message id: the oracle of
 * the report. An effect is a 2xx answered by a stand-in (or a line in a file target). A key applied under two message ids is a
 * duplicate effect (the inbox accepted it twice, and no target could tell); the same message applied again with its key is a
 * redelivery, harmless to a target that honours the key. Thread-safe.
 */
final class Ledger {
    private final Map<String, Set<String>> idsByKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> successesById = new ConcurrentHashMap<>();
    private final Map<String, Long> firstAppliedAt = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();

    /** One 2xx effect of {@code messageId} with {@code key} at {@code system}, at {@code epochMillis}. */
    void applied(String system, String key, String messageId, long epochMillis) {
        idsByKey.computeIfAbsent(system + " " + key, k -> ConcurrentHashMap.newKeySet()).add(messageId);
        successesById.computeIfAbsent(system + " " + messageId, k -> new AtomicInteger()).incrementAndGet();
        firstAppliedAt.merge(messageId, epochMillis, Math::min);
    }

    /** What a stand-in answered (a refused connection is not an answer). */
    void answered(int status) {
        answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
    }

    /** Whether {@code messageId} was applied at {@code system}. */
    boolean appliedAt(String system, String messageId) {
        return successesById.containsKey(system + " " + messageId);
    }

    /** Whether {@code key} was applied at any system. */
    boolean appliedKey(String key) {
        return idsByKey.keySet().stream().anyMatch(k -> k.endsWith(" " + key));
    }

    /** When {@code messageId} was first applied at any target (epoch ms), or null. */
    Long firstAppliedAt(String messageId) {
        return firstAppliedAt.get(messageId);
    }

    /** {@code "<system> <key>"} of each key applied under more than one message id, among keys starting with {@code prefix}. */
    List<String> duplicateEffects(String prefix) {
        return idsByKey.entrySet().stream().filter(e -> e.getKey().contains(" " + prefix) && e.getValue().size() > 1)
                .map(e -> e.getKey() + " as " + e.getValue().size() + " messages").sorted().toList();
    }

    /** How many of {@code messageIds} were applied more than once at one system (same message, same key). */
    int redelivered(Set<String> messageIds) {
        return (int) successesById.entrySet().stream()
                .filter(e -> e.getValue().get() > 1 && messageIds.contains(e.getKey().substring(e.getKey().indexOf(' ') + 1)))
                .count();
    }

    /** Status → count of what the stand-ins answered so far; {@link #resetAnswers} starts a new count. */
    Map<Integer, Integer> answers() {
        Map<Integer, Integer> copy = new java.util.TreeMap<>();
        answers.forEach((status, n) -> copy.put(status, n.get()));
        return copy;
    }

    void resetAnswers() {
        answers.clear();
    }
}
