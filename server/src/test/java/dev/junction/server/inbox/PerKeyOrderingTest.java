package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Effects;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ordering = per-key} against a running server and a real HTTP target. Given two integrations ordered by
 * {@code json:/orderId}, with 20 and 8 partition keys interleaved over 4 partitions: one key's target calls fail for a while,
 * and in the other integration a message of each of two keys exhausts its retry budget. Then the other keys are all delivered
 * while the failing key waits; each exhausted message is a dead letter with the rest of its key parked behind it (listed with
 * that reason); a message without a partition key is a dead letter saying so; the node is restarted with those keys parked and
 * another still failing; messages of a parked key accepted after the restart park too; discarding one head releases its
 * followers in order, the failing key recovers, and the replay of the other head releases its followers. Every partition key
 * reached the target in the order accepted (no attempt of a message before its predecessor was applied), 0 lost, 0 duplicate
 * effects.
 */
class PerKeyOrderingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SLOW = "/webhooks/orders/p";
    private static final String PARK = "/webhooks/orders/q";
    private static final Map<String, String> ENV = Map.of("JUNCTION_PARTITIONS", "4");

    @TempDir
    Path dir;

    private volatile boolean p3Fails = true;
    private volatile boolean q3Fails = true;

    @Test
    void deliversEachKeyInOrderHoldsBackOnlyTheFailingKeyAndParksBehindADeadLetter() throws Exception {
        try (RecordingTarget target = new RecordingTarget()) {
            target.respondWith((key, n) -> key.startsWith("p3-") && p3Fails || key.equals("q3-3") && q3Fails
                    || key.equals("q5-3") ? 503 : 200);
            Path config = TestConfig.write(dir, config(target.baseUrl()));
            Map<String, List<String>> order = new ConcurrentHashMap<>();
            List<String> otherKeys = new ArrayList<>();
            String head;
            String discarded;

            try (RunningServer first = RunningServer.start(config, dir.resolve("data"), ENV)) {
                // 20 keys x 10 messages and 8 keys x 7, interleaved: each key's messages are sent one after the other
                List<String> slowKeys = postInterleaved(first, SLOW, "p", 20, 10, order);
                List<String> parkKeys = postInterleaved(first, PARK, "q", 8, 7, order);
                slowKeys.stream().filter(k -> !k.startsWith("p3-")).forEach(otherKeys::add);
                parkKeys.stream().filter(k -> !k.startsWith("q3-") && !k.startsWith("q5-")).forEach(otherKeys::add);

                Effects.awaitDelivered(target, otherKeys, Duration.ofSeconds(60));
                assertInOrder(target, order, "before the restart");
                assertEquals(0, target.successes("p3-1"), "p3 still fails: the other keys went on without it");
                assertTrue(target.requests("p3-1") > 1, "p3-1 is being retried");
                head = awaitDeadLetter(first, "q3-3");
                assertParked(first, head, List.of("q3-4", "q3-5", "q3-6", "q3-7"));
                discarded = awaitDeadLetter(first, "q5-3");
                assertParked(first, discarded, List.of("q5-4", "q5-5", "q5-6", "q5-7"));

                // a message without a partition key cannot be ordered: kept as a dead letter that says why
                assertEquals(202, first.post(SLOW, "no-order-1", "{\"line\":1}").statusCode());
                Await.until(Duration.ofSeconds(30), () -> listing(first, "orders-p").contains("invalid-partition-key"),
                        () -> "no dead letter for the message without a partition key");
                assertTrue(listing(first, "orders-p").contains("the body has no value at JSON pointer /orderId; it carries the partition key"),
                        () -> listing(first, "orders-p"));
            }
            for (String key : List.of("p3-2", "q3-4")) {
                assertEquals(0, target.requests(key), key + " waits behind its key");
            }

            try (RunningServer second = RunningServer.start(config, dir.resolve("data"), ENV)) {
                assertParked(second, head, List.of("q3-4", "q3-5", "q3-6", "q3-7"));
                for (int i = 8; i <= 10; i++) { // accepted while the key is parked: they park too
                    post(second, PARK, "q3", "q3-" + i, order);
                }
                assertParked(second, head, List.of("q3-4", "q3-5", "q3-6", "q3-7", "q3-8", "q3-9", "q3-10"));
                awaitParkedMetric(second, 7 + 4); // behind q3-3 and behind q5-3

                // discarding a head gives up on it: the rest of its key goes on, in order
                HttpResponse<String> discard = second.postJson("/api/v1/dead-letters/" + discarded + "/discard",
                        "{\"reason\":\"cancelled order\"}");
                assertEquals(200, discard.statusCode(), discard.body());
                Effects.awaitDelivered(target, List.of("q5-4", "q5-5", "q5-6", "q5-7"), Duration.ofSeconds(60));
                awaitParkedMetric(second, 7);

                p3Fails = false;
                Effects.awaitDelivered(target, order.get("p3"), Duration.ofSeconds(60));
                assertEquals(0, target.requests("q3-4"), "a parked key stays parked while others recover");

                q3Fails = false;
                HttpResponse<String> replay = second.postJson("/api/v1/dead-letters/" + head + "/replay", "{\"reason\":\"fixed\"}");
                assertEquals(200, replay.statusCode(), replay.body());
                Effects.awaitDelivered(target, order.get("q3"), Duration.ofSeconds(60));
                JsonNode left = JSON.readTree(second.get("/api/v1/dead-letters?integration=orders-q").body());
                assertEquals(0, left.get("items").size(), "nothing left dead or parked: " + left);
                awaitParkedMetric(second, 0);
            }

            order.get("q5").remove("q5-3"); // discarded: never applied; the rest of q5 in order
            List<String> all = order.values().stream().flatMap(List::stream).toList();
            Effects effects = Effects.of(all, target);
            System.out.println("per-key ordering: " + effects);
            assertInOrder(target, order, "at the end");
            assertEquals(List.of(), effects.lost(), effects::toString);
            assertEquals(List.of(), effects.duplicateEffects(), effects::toString);
        }
    }

    private static void assertInOrder(RecordingTarget target, Map<String, List<String>> order, String when) {
        List<String> violations = Effects.orderViolations(target, order);
        System.out.println("per-key ordering " + when + ": " + violations.size() + " order violations over " + order.size()
                + " partition keys" + (violations.isEmpty() ? "" : ", e.g. " + violations.stream().limit(3).toList()));
        assertEquals(List.of(), violations, "every partition key in the order accepted, " + when);
    }

    /** Posts {@code keys} x {@code each} messages, keys in parallel, each key's in order; returns their idempotency keys. */
    private static List<String> postInterleaved(RunningServer server, String path, String prefix, int keys, int each,
                                                Map<String, List<String>> order) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sent = new ArrayList<>();
            List<String> all = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                String partitionKey = prefix + k;
                List<String> ids = new ArrayList<>();
                for (int i = 1; i <= each; i++) {
                    ids.add(partitionKey + "-" + i);
                }
                all.addAll(ids);
                sent.add(senders.submit(() -> {
                    for (String key : ids) {
                        post(server, path, partitionKey, key, order);
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            return all;
        } finally {
            senders.shutdownNow();
        }
    }

    private static void post(RunningServer server, String path, String partitionKey, String key, Map<String, List<String>> order)
            throws Exception {
        server.postAccepted(path, key, "{\"orderId\":\"" + partitionKey + "\",\"line\":\"" + key + "\"}");
        order.computeIfAbsent(partitionKey, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(key);
    }

    /** Waits until the message with {@code key} is a dead letter; its message id. */
    private static String awaitDeadLetter(RunningServer server, String key) throws Exception {
        String[] id = new String[1];
        Await.until(Duration.ofSeconds(60), () -> {
            try {
                for (JsonNode item : JSON.readTree(server.get("/api/v1/dead-letters?integration=orders-q").body()).get("items")) {
                    if (item.get("idempotencyKey").asText().equals(key) && !item.get("errorClass").asText().equals("parked")) {
                        id[0] = item.get("messageId").asText();
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> key + " is not a dead letter");
        return id[0];
    }

    /** {@code junction_parked_messages} of the parking integration comes to {@code expected} on the node's scrape. */
    private static void awaitParkedMetric(RunningServer server, int expected) {
        java.util.concurrent.atomic.AtomicReference<Double> seen = new java.util.concurrent.atomic.AtomicReference<>();
        Await.until(Duration.ofSeconds(30), () -> {
            try {
                seen.set(new dev.junction.server.testing.PrometheusText(server.get("/metrics").body())
                        .valueOr0("junction_parked_messages", "integration", "orders-q"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return seen.get() == expected;
        }, () -> "junction_parked_messages{integration=orders-q} is " + seen.get() + ", not " + expected);
    }

    /** The listing shows exactly {@code keys} parked behind {@code head}, with that reason. */
    private static void assertParked(RunningServer server, String head, List<String> keys) throws Exception {
        JsonNode items = JSON.readTree(server.get("/api/v1/dead-letters?integration=orders-q&errorClass=parked").body()).get("items");
        List<String> parked = new ArrayList<>();
        for (JsonNode item : items) {
            assertTrue(item.get("detail").asText().startsWith("parked behind "), item::toString);
            assertEquals("*", item.get("target").asText(), "parked for every target");
            if (item.get("detail").asText().startsWith("parked behind " + head)) {
                parked.add(item.get("idempotencyKey").asText());
            }
        }
        assertEquals(keys.stream().sorted().toList(), parked.stream().sorted().toList(), "parked behind " + head);
    }

    private static String listing(RunningServer server, String integration) {
        try {
            return server.get("/api/v1/dead-letters?integration=" + integration).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String config(String targetUrl) {
        return """
            junction {
              http.port = 0
              node.port = 0
              inbox.snapshot-every = 100
              systems {
                shop { connector = http }
                erp {
                  connector = http
                  base-url = "%1$s"
                  resilience.retry { max-attempts = 1000, min-backoff = 50ms, max-backoff = 200ms }
                }
                erp-strict {
                  connector = http
                  base-url = "%1$s"
                  resilience.retry { max-attempts = 3, min-backoff = 50ms, max-backoff = 100ms }
                }
              }
              integrations {
                orders-p {
                  ordering = per-key
                  partition-key = "json:/orderId"
                  source { system = shop, webhook { path = "orders/p" } }
                  targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                }
                orders-q {
                  ordering = per-key
                  partition-key = "json:/orderId"
                  source { system = shop, webhook { path = "orders/q" } }
                  targets = [ { system = erp-strict, http { method = POST, path = "/erp/orders" } } ]
                }
              }
            }
            """.formatted(targetUrl);
    }
}
