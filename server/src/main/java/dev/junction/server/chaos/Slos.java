package dev.junction.server.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The service-level objectives of {@code --slo}: {@code lost=0,duplicates=0} always, unless given another limit, plus any of
 * {@code dead-lettered=N}, {@code rejected=N} (counts) and {@code p50}, {@code p90}, {@code p95}, {@code p99}, {@code max}
 * (end-to-end latency: sent by the source to applied by the target) and the same with {@code ingest-} (the source's request
 * answered). Each is a ceiling: the scenario passes when its figure is at most the limit.
 */
record Slos(Map<String, Object> limits) {
    private static final Pattern LATENCY = Pattern.compile("(ingest-)?(p50|p90|p95|p99|max)");
    private static final List<String> COUNTS = List.of("lost", "duplicates", "dead-lettered", "rejected");

    /** One objective checked against one scenario's figure; {@code actual} is null when the run could not measure it. */
    record Check(String name, String limit, String actual, boolean passed) {}

    static Slos parse(String text) throws UsageException {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("lost", 0L);
        limits.put("duplicates", 0L);
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split("=", 2);
            String name = kv[0].trim();
            if (kv.length != 2 || kv[1].isBlank()) {
                throw new UsageException("--slo " + part.trim() + ": write name=limit, such as p99=2s or lost=0");
            }
            String value = kv[1].trim();
            if (COUNTS.contains(name)) {
                try {
                    limits.put(name, Long.parseLong(value));
                } catch (NumberFormatException e) {
                    throw new UsageException("--slo " + name + "=" + value + ": must be a whole number of messages");
                }
            } else if (LATENCY.matcher(name).matches()) {
                limits.put(name, ChaosOptions.duration("--slo " + name, value));
            } else {
                throw new UsageException("--slo " + name + ": unknown objective (known: " + String.join(", ", COUNTS)
                        + ", p50, p90, p95, p99, max, and ingest-p50 ... ingest-max)");
            }
        }
        return new Slos(Map.copyOf(limits));
    }

    List<Check> check(ScenarioResult result) {
        List<Check> checks = new ArrayList<>();
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(limits).entrySet()) {
            String name = e.getKey();
            if (e.getValue() instanceof Long limit) {
                long actual = switch (name) {
                    case "lost" -> result.lost().size();
                    case "duplicates" -> result.duplicateEffects().size();
                    case "dead-lettered" -> result.deadLettered().values().stream().mapToLong(Integer::longValue).sum();
                    default -> result.rejected().values().stream().mapToLong(Integer::longValue).sum();
                };
                checks.add(new Check(name, String.valueOf(limit), String.valueOf(actual), actual <= limit));
            } else {
                Duration limit = (Duration) e.getValue();
                boolean ingest = name.startsWith("ingest-");
                Latencies latencies = ingest ? result.ingest() : result.endToEnd();
                Long actual = latencies.percentile(name.substring(ingest ? "ingest-".length() : 0));
                checks.add(new Check(name, limit.toMillis() + " ms", actual == null ? null : actual + " ms",
                        actual != null && actual <= limit.toMillis()));
            }
        }
        return checks;
    }
}
