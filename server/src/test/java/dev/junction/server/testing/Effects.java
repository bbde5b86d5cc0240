package dev.junction.server.testing;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * What a {@link RecordingTarget} saw of the acknowledged keys, the verdict every crash and restart test shares. An effect is
 * duplicated when one key reached the target as two different messages (two Junction message ids or two bodies): the inbox then
 * accepted it twice, and no target could tell. A set of applied keys cannot show that, nor can comparing bodies that are
 * identical by construction; the message id can. The same message delivered again with its key (at-least-once after a crash) is
 * one effect at a target that honours the key; it is counted in {@code redelivered}.
 *
 * @param lost             acknowledged keys the target never applied
 * @param duplicateEffects keys that arrived as more than one message
 * @param redelivered      keys delivered successfully more than once, always as the same message
 */
public record Effects(int acknowledged, List<String> lost, List<String> duplicateEffects, List<String> redelivered) {

    public static Effects of(Collection<String> acknowledged, RecordingTarget target) {
        List<String> keys = acknowledged.stream().sorted().toList();
        return new Effects(keys.size(),
                keys.stream().filter(k -> target.successes(k) == 0).toList(),
                keys.stream().filter(k -> target.messageIds(k).size() > 1 || target.bodies(k).size() > 1).toList(),
                keys.stream().filter(k -> target.successes(k) > 1).toList());
    }

    /** Waits until the target has applied every key. */
    public static void awaitDelivered(RecordingTarget target, Collection<String> keys, Duration timeout) {
        Await.until(timeout, () -> keys.stream().allMatch(k -> target.successes(k) > 0), () -> {
            List<String> missing = keys.stream().filter(k -> target.successes(k) == 0).toList();
            return missing.size() + " acknowledged keys not delivered, e.g. " + missing.stream().limit(3).toList();
        });
    }

    /**
     * The per-key order oracle: for each partition key, its idempotency keys in the order they were accepted; a violation is
     * any request for a message (an attempt, failed or not) that reached {@code target} before every earlier message of its
     * partition key was applied there. So a message overtaking one still being retried is caught even if both end applied.
     * Empty when every partition key was delivered in order.
     */
    public static List<String> orderViolations(RecordingTarget target, java.util.Map<String, List<String>> acceptedOrder) {
        java.util.Map<String, String> partitionOf = new java.util.HashMap<>();
        java.util.Map<String, Integer> positionOf = new java.util.HashMap<>();
        acceptedOrder.forEach((partitionKey, keys) -> {
            for (int i = 0; i < keys.size(); i++) {
                partitionOf.put(keys.get(i), partitionKey);
                positionOf.put(keys.get(i), i);
            }
        });
        java.util.Map<String, java.util.Set<String>> applied = new java.util.HashMap<>();
        List<String> violations = new java.util.ArrayList<>();
        for (RecordingTarget.Answer answer : target.answers()) {
            String partitionKey = partitionOf.get(answer.key());
            if (partitionKey == null) {
                continue;
            }
            java.util.Set<String> done = applied.computeIfAbsent(partitionKey, k -> new java.util.HashSet<>());
            List<String> earlier = acceptedOrder.get(partitionKey).subList(0, positionOf.get(answer.key()));
            earlier.stream().filter(k -> !done.contains(k)).findFirst().ifPresent(k -> violations.add(partitionKey + ": "
                    + answer.key() + " reached the target (" + answer.status() + ") before " + k + " was applied"));
            if (answer.status() >= 200 && answer.status() < 300) {
                done.add(answer.key());
            }
        }
        return violations;
    }

    @Override
    public String toString() {
        return acknowledged + " acknowledged, " + lost.size() + " lost, " + duplicateEffects.size() + " duplicate effects, "
                + redelivered.size() + " delivered again (same message, same key)"
                + (lost.isEmpty() ? "" : "; lost e.g. " + lost.stream().limit(5).toList())
                + (duplicateEffects.isEmpty() ? "" : "; duplicated e.g. " + duplicateEffects.stream().limit(5).toList());
    }
}
