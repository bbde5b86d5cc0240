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

    @Override
    public String toString() {
        return acknowledged + " acknowledged, " + lost.size() + " lost, " + duplicateEffects.size() + " duplicate effects, "
                + redelivered.size() + " delivered again (same message, same key)"
                + (lost.isEmpty() ? "" : "; lost e.g. " + lost.stream().limit(5).toList())
                + (duplicateEffects.isEmpty() ? "" : "; duplicated e.g. " + duplicateEffects.stream().limit(5).toList());
    }
}
