package dev.junction.server.inbox;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Per-key order at dispatch (integrations with {@code ordering = per-key}): at most one message of a partition key is with the
 * delivery stream at a time, and the others of that key wait behind it in the order the partition offered them (the order
 * they were accepted). Messages of other keys, and messages without a key, pass at once, so a failing key holds back only
 * itself. Not state: rebuilt whenever the partition's delivery starts, from {@code pending} in order. Confined to the
 * partition's actor.
 */
final class KeyGate {
    private final Map<String, String> inFlight = new HashMap<>();
    private final Map<String, ArrayDeque<String>> waiting = new HashMap<>();

    /** True when message {@code id} may go now: nothing of its key is in flight. Else it waits behind its key. */
    boolean mayGo(String key, String id) {
        if (!inFlight.containsKey(key)) {
            return true;
        }
        waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).add(id);
        return false;
    }

    /** Message {@code id} of {@code key} went to the delivery stream. */
    void started(String key, String id) {
        inFlight.put(key, id);
    }

    /**
     * Message {@code id} of {@code key} settled: the next of its key that {@code waitsStill} (still pending, not in flight),
     * to be dispatched first, or null. A key that is {@code parked} now keeps nobody waiting: its messages are parked.
     */
    String settled(String key, String id, boolean parked, Predicate<String> waitsStill) {
        if (!id.equals(inFlight.get(key))) {
            return null;
        }
        inFlight.remove(key);
        ArrayDeque<String> queue = waiting.get(key);
        if (queue == null) {
            return null;
        }
        String next = null;
        while (!parked && next == null && !queue.isEmpty()) {
            String candidate = queue.poll();
            if (waitsStill.test(candidate)) {
                next = candidate;
            }
        }
        if (parked || queue.isEmpty()) {
            waiting.remove(key);
        }
        return next;
    }

    /** How many messages wait behind a key in flight. */
    int waiting() {
        return waiting.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    void clear() {
        inFlight.clear();
        waiting.clear();
    }
}
