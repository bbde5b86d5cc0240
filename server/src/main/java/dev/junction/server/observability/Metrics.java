package dev.junction.server.observability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Histogram;
import kamon.metric.MeasurementUnit;
import kamon.tag.TagSet;

/**
 * Junction's metric catalogue (docs/operations.md lists it). Kamon names with dots become Prometheus names with underscores;
 * counters get {@code _total}, time histograms {@code _seconds}. Labels are integration, target and system names and a small
 * set of outcomes: never a key or a message id. Instruments are looked up once per label set. Thread-safe; a no-op while
 * Kamon is off.
 */
public final class Metrics {
    /** The outcomes of {@code junction_messages_received_total}. */
    public enum Received { ACCEPTED, DUPLICATE, CONFLICT, REFUSED, INVALID }

    private static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();
    private static final Map<String, Histogram> HISTOGRAMS = new ConcurrentHashMap<>();
    private static final Map<String, Gauge> GAUGES = new ConcurrentHashMap<>();
    /** Per partition entity id on this node: {integration, pending, dead letters, parked}; summed per integration every second. */
    private static final Map<String, Object[]> PARTITIONS = new ConcurrentHashMap<>();
    private static volatile ScheduledExecutorService sums;

    private Metrics() {}

    public static void received(String integration, Received outcome) {
        if (outcome == Received.ACCEPTED) {
            Activity.received(integration);
        }
        if (!Observability.enabled()) {
            return;
        }
        counter("junction.messages.received", "integration", integration, "outcome", label(outcome)).increment();
        if (outcome == Received.ACCEPTED) {
            gauge("junction.last.received.timestamp.seconds", "integration", integration).update(System.currentTimeMillis() / 1000.0);
        }
    }

    /**
     * A run of a polling or batch source ended with {@code status} ({@code succeeded}, {@code failed}, {@code partial}): one
     * run and its items by outcome; a run that succeeded also moves the integration's last successful run time.
     */
    public static void runFinished(String integration, String status, long read, long accepted, long duplicate, long invalid,
                                   long failed) {
        if (!Observability.enabled()) {
            return;
        }
        counter("junction.runs", "integration", integration, "status", status).increment();
        String[] outcomes = {"read", "accepted", "duplicate", "invalid", "failed"};
        long[] counts = {read, accepted, duplicate, invalid, failed};
        for (int i = 0; i < outcomes.length; i++) {
            counter("junction.run.items", "integration", integration, "outcome", outcomes[i]).increment(counts[i]);
        }
        if (status.equals("succeeded")) {
            gauge("junction.last.successful.run.timestamp.seconds", "integration", integration)
                    .update(System.currentTimeMillis() / 1000.0);
        }
    }

    /** Keys of one batch that memory did not hold and its filter could not rule out: asked of the durable key index. */
    public static void keysLookedUp(String integration, int keys) {
        if (Observability.enabled()) {
            counter("junction.dedup.lookups", "integration", integration).increment(keys);
        }
    }

    /** One answer an enrich step needed: {@code hit} when its cache held it (or a read for it was in flight), else {@code miss}. */
    public static void enrichCache(String integration, String step, String result) {
        if (Observability.enabled()) {
            counter("junction.enrich.cache", "integration", integration, "step", step, "result", result).increment();
        }
    }

    /** From a source's request to the inbox's durable answer. */
    public static void ingest(String integration, long nanos) {
        if (Observability.enabled()) {
            histogram("junction.ingest", "integration", integration).record(Math.max(0, nanos));
        }
    }

    /** A target's delivery ended ({@code delivered}, {@code filtered}, {@code dead_lettered}); {@code receivedAt} epoch ms. */
    public static void settled(String integration, String target, String outcome, long receivedAt, long settledAt) {
        if (outcome.equals("delivered")) {
            Activity.delivered(integration, settledAt);
        } else if (outcome.equals("dead_lettered")) {
            Activity.deadLettered(integration);
        } else if (outcome.equals("filtered")) {
            Activity.filtered(integration);
        }
        if (!Observability.enabled()) {
            return;
        }
        counter("junction.deliveries", "integration", integration, "target", target, "outcome", outcome).increment();
        if (outcome.equals("delivered")) {
            histogram("junction.end.to.end", "integration", integration, "target", target)
                    .record(Math.max(0, settledAt - receivedAt) * 1_000_000L);
            gauge("junction.last.delivered.timestamp.seconds", "integration", integration, "target", target).update(settledAt / 1000.0);
        }
    }

    /** One attempt at a system: {@code result} is {@code ok} or the classified error ({@code http-503}, {@code timeout}). */
    public static void attempt(String system, String result, long millis) {
        if (!Observability.enabled()) {
            return;
        }
        counter("junction.delivery.attempts", "system", system, "result", result).increment();
        histogram("junction.system.call", "system", system).record(Math.max(0, millis) * 1_000_000L);
    }

    /** 0 closed, 1 half-open, 2 open. */
    public static void breaker(String system, int state) {
        Activity.breaker(system, state);
        if (Observability.enabled()) {
            gauge("junction.circuit.breaker.state", "system", system).update(state);
        }
    }

    /** The system's actor stopped on this node. */
    public static void breakerGone(String system) {
        Activity.forgetBreaker(system);
    }

    /**
     * A partition hosted on this node now holds {@code pending} undelivered envelopes, {@code deadLetters} dead letters, and
     * {@code parked} messages waiting behind a dead-lettered message of their partition key (per-key ordering).
     */
    public static void partition(String entityId, String integration, int pending, int deadLetters, int parked) {
        if (Observability.enabled()) {
            PARTITIONS.put(entityId, new Object[] {integration, pending, deadLetters, parked});
            startSums();
        }
    }

    /** The partition stopped on this node (moved, passivated, node stopping). */
    public static void partitionGone(String entityId) {
        PARTITIONS.remove(entityId);
    }

    private static void startSums() {
        if (sums == null) {
            synchronized (Metrics.class) {
                if (sums == null) {
                    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "junction-metric-sums");
                        t.setDaemon(true);
                        return t;
                    });
                    s.scheduleWithFixedDelay(Metrics::sum, 0, 1, TimeUnit.SECONDS);
                    sums = s;
                }
            }
        }
    }

    private static void sum() {
        Map<String, long[]> byIntegration = new java.util.HashMap<>();
        for (Object[] p : PARTITIONS.values()) {
            long[] s = byIntegration.computeIfAbsent((String) p[0], i -> new long[3]);
            s[0] += (Integer) p[1];
            s[1] += (Integer) p[2];
            s[2] += (Integer) p[3];
        }
        byIntegration.forEach((integration, s) -> {
            gauge("junction.inbox.pending", "integration", integration).update(s[0]);
            gauge("junction.dead.letters", "integration", integration).update(s[1]);
            gauge("junction.parked.messages", "integration", integration).update(s[2]);
        });
    }

    /** An enum value as a label: {@code DEAD_LETTERED} is {@code dead_lettered}. */
    public static String label(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Counter counter(String name, String... tags) {
        return COUNTERS.computeIfAbsent(key(name, tags), k -> Kamon.counter(name).withTags(tags(tags)));
    }

    private static Histogram histogram(String name, String... tags) {
        return HISTOGRAMS.computeIfAbsent(key(name, tags),
                k -> Kamon.histogram(name, MeasurementUnit.time().nanoseconds()).withTags(tags(tags)));
    }

    private static Gauge gauge(String name, String... tags) {
        return GAUGES.computeIfAbsent(key(name, tags), k -> Kamon.gauge(name).withTags(tags(tags)));
    }

    private static String key(String name, String... tags) {
        return name + '\u0000' + String.join("\u0000", tags);
    }

    private static TagSet tags(String... pairs) {
        TagSet.Builder builder = TagSet.builder();
        for (int i = 0; i < pairs.length; i += 2) {
            builder.add(pairs[i], pairs[i + 1]);
        }
        return builder.build();
    }
}
