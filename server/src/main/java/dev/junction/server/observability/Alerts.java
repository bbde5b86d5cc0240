package dev.junction.server.observability;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Ingestor;
import dev.junction.server.config.AlertSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in alerts of this node: stale (nothing delivered for the integration's max-age), volume-drop, failure-spike and
 * breaker-open. Integration alerts are computed from the durable activity counts, so every node sees the same and a restart
 * forgets nothing; breaker-open is about this node's breaker. Each alert is notified once when it fires and once when it
 * resolves, as a message of the {@code junction-alerts} integration whose idempotency key is derived from the alert and the
 * moment it started: a second node, or this node after a restart, that sees the same alert sends the same key, and the inbox
 * answers it as a duplicate. Checks run one at a time on the blocking executor.
 */
public final class Alerts {
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final Duration KEEP_RESOLVED = Duration.ofHours(24);

    /** One alert as the admin API lists it; {@code since} and {@code resolvedAt} are ISO-8601. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Alert(String name, String integration, String system, String state, String since, String resolvedAt, String detail,
                        @JsonIgnore long sinceMillis) {
        String subject() {
            return integration != null ? integration : system;
        }
    }

    private final AlertSettings settings;
    /** Each integration's monitoring block: from the settings at start, then from each reload ({@link #follow}). */
    private volatile Map<String, AlertSettings.Monitoring> monitoring;
    private final ActivityStore store;
    private final Ingestor notify;
    private final String node;
    /** By name/subject: the alerts firing, and those resolved within a day. */
    private final Map<String, Alert> alerts = new LinkedHashMap<>();
    private final List<InboundMessage> unsent = new ArrayList<>();

    /** {@code notify}: the junction-alerts integration's ingestor, or null; {@code node} names this node in breaker alerts' keys. */
    public Alerts(AlertSettings settings, ActivityStore store, Ingestor notify, String node) {
        this.settings = settings;
        this.store = store;
        this.notify = notify;
        this.node = node;
        this.monitoring = settings.monitoring();
        Activity.bucket(settings.bucket().toMillis());
    }

    /**
     * Checks from now on what {@code next} says of each integration (a reload added, removed or changed a monitoring block).
     * The alerts of an integration that is gone, or whose rule is now off, resolve at the next check like any other.
     */
    public void follow(Map<String, AlertSettings.Monitoring> next) {
        this.monitoring = Map.copyOf(next);
    }

    /** Everything firing, then what resolved in the last day, newest first. */
    public synchronized List<Alert> list() {
        return alerts.values().stream().sorted(Comparator.comparing((Alert a) -> !a.state().equals("firing"))
                .thenComparing(Comparator.comparingLong(Alert::sinceMillis).reversed())).toList();
    }

    /**
     * One integration's counts over the last {@code minutes} (whole buckets, the current one included), per bucket ({@code buckets}:
     * those with counts, oldest first; {@code bucketSeconds} long) and its last delivery.
     */
    public record Recent(String integration, int minutes, long received, long delivered, long deadLettered, long filtered,
                         String lastDeliveredAt, long bucketSeconds, List<Bucket> buckets) {}

    /** One bucket's counts; {@code start} is ISO-8601. */
    public record Bucket(String start, long received, long delivered, long deadLettered, long filtered) {}

    /** What the dashboard shows of an integration's flow, from the durable activity counts (behind by at most a flush). */
    public java.util.concurrent.CompletionStage<Recent> recent(String integration, int minutes) {
        long now = System.currentTimeMillis();
        long bucket = settings.bucket().toMillis();
        long end = now - Math.floorMod(now, bucket) + bucket;
        return store.buckets(integration, end - minutes * 60_000L, end).thenCombine(store.lastDeliveredAndFirstBucket(integration),
                (buckets, lastAndFirst) -> new Recent(integration, minutes,
                        buckets.stream().mapToLong(ActivityStore.Bucket::received).sum(),
                        buckets.stream().mapToLong(ActivityStore.Bucket::delivered).sum(),
                        buckets.stream().mapToLong(ActivityStore.Bucket::deadLettered).sum(),
                        buckets.stream().mapToLong(ActivityStore.Bucket::filtered).sum(),
                        lastAndFirst[0] > 0 ? iso(lastAndFirst[0]) : null, bucket / 1000,
                        buckets.stream().map(b -> new Bucket(iso(b.start()), b.received(), b.delivered(), b.deadLettered(), b.filtered())).toList()));
    }

    /** Writes this node's counts to the durable store (also at shutdown). */
    public void flush() {
        Map<Activity.Key, long[]> counts = Activity.drain();
        if (counts.isEmpty()) {
            return;
        }
        try {
            store.add(counts).toCompletableFuture().join();
        } catch (RuntimeException e) {
            Activity.restore(counts);
            log.debug("activity counts not written now ({}); written with the next flush", e.toString());
        }
    }

    /** Flushes, evaluates every rule, and notifies what fired or resolved. */
    public synchronized void check() {
        flush();
        long now = System.currentTimeMillis();
        Map<String, Alert> firing = new LinkedHashMap<>();
        try {
            monitoring.forEach((integration, m) -> {
                if (!integration.equals(AlertSettings.NOTIFY_INTEGRATION)) {
                    evaluate(integration, m, now).forEach(a -> firing.put(a.name() + "/" + a.subject(), a));
                }
            });
        } catch (RuntimeException e) {
            log.warn("alerts not evaluated now: the activity counts could not be read ({})", e.toString());
            return;
        }
        Activity.breakers().forEach((system, b) -> {
            if (b.state() != 0 && now - b.since() >= settings.breakerOpenFor().toMillis()) {
                firing.put("breaker-open/" + system, new Alert("breaker-open", null, system, "firing", iso(b.since()), null,
                        system + ": circuit breaker open on this node for " + minutes(now - b.since()) + " (since " + TIME.format(Instant.ofEpochMilli(b.since()))
                                + " UTC); GET /api/v1/systems/" + system + " shows its last error", b.since()));
            }
        });
        firing.forEach((id, alert) -> {
            Alert before = alerts.get(id);
            if (before == null || !before.state().equals("firing") || before.sinceMillis() != alert.sinceMillis()) {
                log.warn("alert {} firing: {}", alert.name(), alert.detail());
                notify(alert);
            }
            alerts.put(id, alert);
        });
        for (Map.Entry<String, Alert> e : List.copyOf(alerts.entrySet())) {
            Alert a = e.getValue();
            if (a.state().equals("firing") && !firing.containsKey(e.getKey())) {
                Alert resolved = new Alert(a.name(), a.integration(), a.system(), "resolved", a.since(), iso(now), a.detail(), a.sinceMillis());
                log.info("alert {} resolved: {}", a.name(), a.subject());
                alerts.put(e.getKey(), resolved);
                notify(resolved);
            } else if (a.state().equals("resolved") && now - a.sinceMillis() > KEEP_RESOLVED.toMillis()) {
                alerts.remove(e.getKey());
            }
        }
        sendUnsent();
    }

    /** Removes activity older than any rule looks back (keeping each integration's last delivery). */
    public void prune() {
        long longest = monitoring.values().stream()
                .mapToLong(m -> Math.max(m.volumeBaseline().plus(m.volumeWindow()).toMillis(), m.failuresWindow().toMillis()))
                .max().orElse(0) + settings.bucket().toMillis();
        store.prune(System.currentTimeMillis() - longest).toCompletableFuture().join();
    }

    private List<Alert> evaluate(String integration, AlertSettings.Monitoring m, long now) {
        List<Alert> out = new ArrayList<>();
        long[] lastAndFirst = store.lastDeliveredAndFirstBucket(integration).toCompletableFuture().join();
        long last = lastAndFirst[0];
        long first = lastAndFirst[1];
        if (m.freshness() != null && last > 0 && now - last > m.freshness().toMillis()) {
            out.add(new Alert("stale", integration, null, "firing", iso(last + m.freshness().toMillis()), null,
                    integration + ": nothing delivered for " + minutes(now - last) + "; last delivery " + TIME.format(Instant.ofEpochMilli(last))
                            + " UTC", last + m.freshness().toMillis()));
        }
        long bucket = settings.bucket().toMillis();
        long end = now - Math.floorMod(now, bucket) + bucket; // the current bucket included
        long window = m.volumeWindow().toMillis();
        long baseline = m.volumeBaseline().toMillis();
        // A brand-new integration has no usual volume yet: no volume alert before a whole baseline of activity.
        if (first >= 0 && first <= end - window - baseline) {
            long received = store.sums(integration, end - window, end).toCompletableFuture().join().received();
            long before = store.sums(integration, end - window - baseline, end - window).toCompletableFuture().join().received();
            double usual = (double) before * window / baseline;
            if (usual > 0 && received < m.volumeMinRatio() * usual) {
                long since = end - bucket;
                Alert previous = alerts.get("volume-drop/" + integration);
                if (previous != null && previous.state().equals("firing")) {
                    since = previous.sinceMillis();
                }
                out.add(new Alert("volume-drop", integration, null, "firing", iso(since), null, integration + ": " + received
                        + " received in the last " + human(window) + ", usually " + Math.round(usual) + " (below "
                        + Math.round(m.volumeMinRatio() * 100) + " %); check the source system", since));
            }
        }
        ActivityStore.Sums recent = store.sums(integration, end - m.failuresWindow().toMillis(), end).toCompletableFuture().join();
        if (recent.received() > 0 && (double) recent.deadLettered() / recent.received() > m.failuresMaxRatio()) {
            long since = end - bucket;
            Alert previous = alerts.get("failure-spike/" + integration);
            if (previous != null && previous.state().equals("firing")) {
                since = previous.sinceMillis();
            }
            out.add(new Alert("failure-spike", integration, null, "firing", iso(since), null, integration + ": " + recent.deadLettered()
                    + " dead-lettered of " + recent.received() + " received in the last " + human(m.failuresWindow().toMillis())
                    + "; see GET /api/v1/dead-letters?integration=" + integration, since));
        }
        return out;
    }

    private void notify(Alert alert) {
        if (notify == null) {
            return;
        }
        ObjectNode body = JSON.valueToTree(alert);
        String subject = alert.system() != null ? alert.system() + "@" + node : alert.subject();
        String key = "alert:" + alert.name() + ":" + subject + ":" + alert.sinceMillis() + ":" + alert.state();
        unsent.add(new InboundMessage(key, "application/json", body.toString().getBytes(StandardCharsets.UTF_8), body, Map.of()));
    }

    private void sendUnsent() {
        for (InboundMessage message : List.copyOf(unsent)) {
            IngestResult result;
            try {
                result = notify.ingest(message).toCompletableFuture().join();
            } catch (RuntimeException e) {
                result = null;
            }
            if (result != null && result.isDurable()) {
                unsent.remove(message);
            } else {
                log.debug("alert notification {} not accepted now ({}); tried again with the next check", message.idempotencyKey(), result);
            }
        }
    }

    private static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    private static String minutes(long millis) {
        return millis >= 120_000 ? (millis / 60_000) + " min" : (millis / 1000) + " s";
    }

    private static String human(long millis) {
        Duration d = Duration.ofMillis(millis);
        return d.toDaysPart() > 0 && d.toHoursPart() == 0 && d.toMinutesPart() == 0 ? d.toDays() + "d"
                : d.toSeconds() % 60 != 0 || d.toMinutes() == 0 ? d.toSeconds() + "s" : d.toMinutes() + "m";
    }
}
