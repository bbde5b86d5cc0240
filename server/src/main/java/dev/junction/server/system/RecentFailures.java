package dev.junction.server.system;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Failed attempts per error class over the last five minutes, in one-minute buckets. Confined to its actor. */
final class RecentFailures {
    private static final int MINUTES = 5;
    private final long[] bucketMinute = new long[MINUTES];
    @SuppressWarnings("unchecked")
    private final Map<String, Long>[] buckets = new Map[MINUTES];

    RecentFailures() {
        for (int i = 0; i < MINUTES; i++) {
            buckets[i] = new HashMap<>();
        }
    }

    void record(String errorClass, long nowMillis) {
        long minute = nowMillis / 60_000;
        int i = (int) (minute % MINUTES);
        if (bucketMinute[i] != minute) {
            bucketMinute[i] = minute;
            buckets[i].clear();
        }
        buckets[i].merge(errorClass, 1L, Long::sum);
    }

    Map<String, Long> snapshot(long nowMillis) {
        long minute = nowMillis / 60_000;
        Map<String, Long> total = new TreeMap<>();
        for (int i = 0; i < MINUTES; i++) {
            if (minute - bucketMinute[i] < MINUTES) {
                buckets[i].forEach((k, v) -> total.merge(k, v, Long::sum));
            }
        }
        return total;
    }
}
