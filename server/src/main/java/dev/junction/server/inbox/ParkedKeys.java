package dev.junction.server.inbox;

import dev.junction.server.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The partition keys of a partition held back behind a dead letter (integrations with {@code ordering = per-key}). When a
 * message with a partition key is dead-lettered, the messages of its key still waiting are taken out of {@code pending} and
 * parked behind it, in the order they were accepted, and so is every message of that key accepted later. Replaying the head
 * puts it back to be delivered while its followers stay parked; once the head has no dead-lettered target left (it was
 * delivered, or discarded) they are released into {@code pending}, in order. Part of the partition's state: changed only by
 * its event handler (from {@code Accepted}, {@code Settled} and {@code Discarded}, which say all that is needed), so parking
 * is recovered from the journal like everything else. Followers are kept whole (they are still to be delivered).
 */
public final class ParkedKeys {

    /**
     * One parked key, as a snapshot keeps it.
     *
     * @param partitionKey the key
     * @param head         the message it is parked behind: a dead letter, or being delivered again after a replay
     * @param parkedAt     when its head was dead-lettered, epoch milliseconds
     * @param followers    the messages of the key accepted after the head, in order
     */
    public record Parked(String partitionKey, String head, long parkedAt, List<PendingDelivery> followers) implements CborSerializable {}

    private static final class Key {
        final String head;
        final long parkedAt;
        final ArrayList<PendingDelivery> followers = new ArrayList<>();

        Key(String head, long parkedAt) {
            this.head = head;
            this.parkedAt = parkedAt;
        }
    }

    private final LinkedHashMap<String, Key> byKey = new LinkedHashMap<>();
    private final Map<String, String> keyOfHead = new HashMap<>();
    /** Not state: the followers released since the partition last dispatched, in order (see {@link #drainReleased}). */
    private final List<String> released = new ArrayList<>();

    boolean isParked(String partitionKey) {
        return byKey.containsKey(partitionKey);
    }

    /** The partition key parked behind message {@code messageId}, or null. */
    String keyOfHead(String messageId) {
        return keyOfHead.get(messageId);
    }

    /** A message of a parked key accepted now: it waits at the end of its key. */
    void follow(String partitionKey, PendingDelivery message) {
        byKey.get(partitionKey).followers.add(message);
    }

    /**
     * Parks each key of {@code heads} (partition key to the message just dead-lettered) behind its head, taking the messages
     * of those keys out of {@code pending} in their order. A key parked already (its replayed head failed again) stays
     * parked behind it. One pass over {@code pending} for all of them.
     */
    void park(Map<String, String> heads, long at, LinkedHashMap<String, PendingDelivery> pending) {
        heads.forEach((key, head) -> {
            if (!byKey.containsKey(key)) {
                byKey.put(key, new Key(head, at));
                keyOfHead.put(head, key);
            }
        });
        for (Iterator<PendingDelivery> it = pending.values().iterator(); it.hasNext(); ) {
            PendingDelivery p = it.next();
            String key = p.envelope().partitionKey();
            if (key != null && heads.containsKey(key) && !p.envelope().messageId().equals(byKey.get(key).head)) {
                byKey.get(key).followers.add(p);
                it.remove();
            }
        }
    }

    /**
     * Releases the key parked behind {@code head} if the head is resolved: it is not waiting for delivery ({@code stillPending})
     * and has no dead-lettered target left ({@code stillDead}). Its followers go back into {@code pending}, in order.
     */
    void resolve(String head, boolean stillPending, boolean stillDead, LinkedHashMap<String, PendingDelivery> pending) {
        String key = keyOfHead.get(head);
        if (key == null || stillPending || stillDead) {
            return;
        }
        keyOfHead.remove(head);
        for (PendingDelivery p : byKey.remove(key).followers) {
            pending.put(p.envelope().messageId(), p);
            released.add(p.envelope().messageId());
        }
    }

    /** Retention moved where these followers' records are: to {@code sequenceNr}. */
    void carried(List<PendingDelivery> moved, long sequenceNr) {
        Map<String, PendingDelivery> byId = new HashMap<>();
        moved.forEach(p -> byId.put(p.envelope().messageId(), p));
        for (Key key : byKey.values()) {
            key.followers.replaceAll(p -> byId.containsKey(p.envelope().messageId()) ? new PendingDelivery(p.envelope(), p.targets(),
                    p.earlier(), p.mappings(), p.pinned(), sequenceNr) : p);
        }
    }

    /** True when message {@code messageId} is parked (a follower): it is still to be delivered. */
    boolean holds(String messageId) {
        return byKey.values().stream().anyMatch(k -> k.followers.stream().anyMatch(p -> p.envelope().messageId().equals(messageId)));
    }

    /** Every follower of every parked key. */
    List<PendingDelivery> followers() {
        List<PendingDelivery> all = new ArrayList<>();
        byKey.values().forEach(k -> all.addAll(k.followers));
        return all;
    }

    /** The message ids released since the last call, in order; the partition hands them to its delivery stream. */
    List<String> drainReleased() {
        if (released.isEmpty()) {
            return List.of();
        }
        List<String> ids = List.copyOf(released);
        released.clear();
        return ids;
    }

    /** Forgets what was released before (recovery: the partition dispatches everything pending anyway). */
    void clearReleased() {
        released.clear();
    }

    int size() {
        return byKey.size();
    }

    /** How many messages wait behind the heads of parked keys. */
    int followerCount() {
        int n = 0;
        for (Key key : byKey.values()) {
            n += key.followers.size();
        }
        return n;
    }

    /** A copy for a snapshot. */
    List<Parked> copy() {
        List<Parked> copy = new ArrayList<>();
        byKey.forEach((key, k) -> copy.add(new Parked(key, k.head, k.parkedAt, List.copyOf(k.followers))));
        return copy;
    }

    void restore(List<Parked> saved) {
        for (Parked p : saved) {
            Key key = new Key(p.head(), p.parkedAt());
            key.followers.addAll(p.followers());
            byKey.put(p.partitionKey(), key);
            keyOfHead.put(p.head(), p.partitionKey());
        }
    }
}
