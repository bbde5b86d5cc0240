package dev.junction.server.chaos;

import java.util.List;

/** Latency samples in milliseconds, sorted, with nearest-rank percentiles. */
record Latencies(List<Long> sortedMillis) {

    static Latencies of(java.util.Collection<Long> millis) {
        return new Latencies(millis.stream().sorted().toList());
    }

    /** {@code p50}, {@code p90}, {@code p95}, {@code p99} or {@code max}; null when there is no sample. */
    Long percentile(String name) {
        if (sortedMillis.isEmpty()) {
            return null;
        }
        if (name.equals("max")) {
            return sortedMillis.get(sortedMillis.size() - 1);
        }
        double p = Double.parseDouble(name.substring(1)) / 100.0;
        int rank = (int) Math.ceil(p * sortedMillis.size());
        return sortedMillis.get(Math.max(0, Math.min(sortedMillis.size(), rank) - 1));
    }

    int count() {
        return sortedMillis.size();
    }
}
