package dev.junction.server.observability;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node received and delivered since the alerts last flushed it to the durable {@link ActivityStore}, per integration
 * and time bucket, and the state of each system's breaker on this node. Sources that are not messages one by one (batch and
 * polling runs) feed freshness through {@link #delivered} too. Thread-safe; counted whether Kamon is on or off.
 */
public final class Activity {
    /** One integration in one bucket; its counts are {@code long[COLUMNS]} indexed by the constants below. */
    public record Key(String integration, long bucketStart) {}

    public static final int RECEIVED = 0;
    public static final int DELIVERED = 1;
    public static final int DEAD_LETTERED = 2;
    /** The epoch ms of the bucket's last delivery (a maximum, not a count). */
    public static final int LAST_DELIVERED = 3;
    public static final int FILTERED = 4;
    static final int COLUMNS = 5;

    /**
     * A breaker's state on this node (0 closed, 1 half-open, 2 open); {@code since} (epoch ms) is when it left closed: a breaker
     * that probes (half-open) and opens again is still the same outage.
     */
    public record Breaker(int state, long since) {}

    private static final Map<Key, long[]> COUNTS = new ConcurrentHashMap<>();
    private static final Map<String, Breaker> BREAKERS = new ConcurrentHashMap<>();
    private static volatile long bucketMillis = 60_000;

    private Activity() {}

    static void bucket(long millis) {
        bucketMillis = millis;
    }

    public static void received(String integration) {
        add(integration, System.currentTimeMillis(), RECEIVED, 0);
    }

    /** A delivery confirmed at {@code at} (epoch ms): freshness counts from the latest. */
    public static void delivered(String integration, long at) {
        add(integration, at, DELIVERED, at);
    }

    public static void deadLettered(String integration) {
        add(integration, System.currentTimeMillis(), DEAD_LETTERED, 0);
    }

    /** A target's delivery ended filtered (a step or a route let it go nowhere): settled, neither delivered nor failed. */
    public static void filtered(String integration) {
        add(integration, System.currentTimeMillis(), FILTERED, 0);
    }

    public static void breaker(String system, int state) {
        BREAKERS.compute(system, (s, before) -> before != null && (before.state() == 0) == (state == 0)
                ? new Breaker(state, before.since()) : new Breaker(state, System.currentTimeMillis()));
    }

    static Map<String, Breaker> breakers() {
        return Map.copyOf(BREAKERS);
    }

    static void forgetBreaker(String system) {
        BREAKERS.remove(system);
    }

    private static void add(String integration, long at, int column, long lastDelivered) {
        long bucket = at - Math.floorMod(at, bucketMillis);
        COUNTS.compute(new Key(integration, bucket), (k, counts) -> {
            long[] c = counts == null ? new long[COLUMNS] : counts;
            c[column]++;
            c[LAST_DELIVERED] = Math.max(c[LAST_DELIVERED], lastDelivered);
            return c;
        });
    }

    /** Takes what was counted since the last call. */
    static Map<Key, long[]> drain() {
        Map<Key, long[]> drained = new HashMap<>();
        for (Key key : COUNTS.keySet()) {
            long[] c = COUNTS.remove(key);
            if (c != null) {
                drained.put(key, c);
            }
        }
        return drained;
    }

    /** Gives back counts whose write failed: they are written with the next flush. */
    static void restore(Map<Key, long[]> counts) {
        counts.forEach((key, c) -> COUNTS.merge(key, c, (a, b) -> {
            long[] sum = new long[COLUMNS];
            for (int i = 0; i < COLUMNS; i++) {
                sum[i] = i == LAST_DELIVERED ? Math.max(a[i], b[i]) : a[i] + b[i];
            }
            return sum;
        }));
    }
}
