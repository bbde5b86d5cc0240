package dev.junction.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.inbox.Settlement.Status;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.BulkSender;
import dev.junction.server.testing.Outcomes;
import dev.junction.server.testing.PrometheusText;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An enrich step reads a system during the pipeline: each distinct path is read at most once within the ttl (concurrent
 * misses share one read), a lookup system that answers 503 and then recovers loses no message, the lineage says which answers
 * came from the cache, and a 404 follows {@code on-not-found}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnrichTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;

    @TempDir
    static Path dir;
    private HttpServer inventory;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** The flaky system answers 503 to this many calls before it recovers. */
    private final AtomicInteger unavailable = new AtomicInteger(40);
    private RecordingTarget erp;
    private RunningServer server;

    @BeforeAll
    void start() throws Exception {
        inventory = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        inventory.setExecutor(Executors.newFixedThreadPool(16));
        inventory.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            try {
                Thread.sleep(50); // a slow system: concurrent misses for one path overlap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int status = path.contains("MISSING") ? 404 : path.startsWith("/flaky/") && unavailable.getAndDecrement() > 0 ? 503 : 200;
            byte[] body = status == 200 ? ("{\"sku\":\"" + path.substring(path.lastIndexOf('/') + 1) + "\",\"available\":7}")
                    .getBytes(StandardCharsets.UTF_8) : new byte[0];
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        inventory.start();
        erp = new RecordingTarget(8);
        String lookup = "http://127.0.0.1:" + inventory.getAddress().getPort();
        Path config = TestConfig.write(dir, """
            junction {
              http.port = 0
              node.port = 0
              inbox.partitions = %d
              systems {
                webshop { connector = http }
                inventory { connector = http, base-url = "%s" }
                flaky { connector = http, base-url = "%s"
                        resilience { circuit-breaker.enabled = false, retry { max-attempts = 1000, min-backoff = 20ms, max-backoff = 100ms } } }
                erp { connector = http, base-url = "%s" }
              }
              integrations {
                cached { source { system = webshop, webhook { path = "cached" } }
                  steps = [ { enrich { system = inventory, http { method = GET, path = "/stock/{/lines/0/sku}" }, into = "/stock"
                              cache { ttl = 5m, max-entries = 10000 } } } ]
                  targets = [ { system = erp, http { path = "/orders" } } ] }
                recovering { source { system = webshop, webhook { path = "recovering" } }
                  steps = [ { enrich { system = flaky, http { path = "/flaky/{/lines/0/sku}" }, into = "/stock" } } ]
                  targets = [ { system = erp, http { path = "/orders" } } ] }
                missing-null { source { system = webshop, webhook { path = "missing-null" } }
                  steps = [ { enrich { system = inventory, http { path = "/stock/{/lines/0/sku}" }, into = "/stock", on-not-found = null } } ]
                  targets = [ { system = erp, http { path = "/orders" } } ] }
                missing-dead { source { system = webshop, webhook { path = "missing-dead" } }
                  steps = [ { enrich { system = inventory, http { path = "/stock/{/lines/0/sku}" }, into = "/stock", on-not-found = dead-letter } } ]
                  targets = [ { system = erp, http { path = "/orders" } } ] }
              }
            }
            """.formatted(PARTITIONS, lookup, lookup, erp.baseUrl()));
        server = RunningServer.start(config, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        erp.close();
        inventory.stop(0);
    }

    @Test
    void aThousandOrdersOverTwentySkusReadEachSkuOnceAndTheLineageMarksTheCachedAnswers() throws Exception {
        List<String> keys = IntStream.range(0, 1000).mapToObj(i -> "cached-" + i).toList();
        Map<String, Integer> answers = BulkSender.post(server.url("/webhooks/cached"), keys, key -> order(key, "SKU-" + (key.hashCode() & 0x7fffffff) % 20), 32);
        assertTrue(answers.values().stream().allMatch(s -> s == 202), "every order accepted: " + BulkSender.count(answers));
        Await.until(Duration.ofSeconds(120), () -> keys.stream().allMatch(k -> erp.successes(k) == 1), () -> "not all delivered: "
                + keys.stream().filter(k -> erp.successes(k) != 1).count() + " not once, after " + stockCalls() + " lookup calls");

        int lookups = stockCalls();
        System.out.println("enrich: 1000 orders over 20 SKUs made " + lookups + " calls to the lookup system");
        assertTrue(lookups <= 20, lookups + " calls for 20 distinct SKUs");
        for (String key : keys) {
            JsonNode body = JSON.readTree(erp.lastBody(key));
            assertEquals(body.at("/lines/0/sku").asText(), body.at("/stock/sku").asText(), key);
        }
        // The settlements are persisted after the target's answers, in batches: every one is read, not those written so far.
        Await.until(Duration.ofSeconds(30), () -> settledAsDelivered("cached") == 1000, () -> "not all settled as delivered");
        Map<String, Settlement> settlements = Outcomes.read(server.junction().system(), "cached", PARTITIONS);
        long hits = 0;
        long misses = 0;
        for (Settlement s : settlements.values()) {
            JsonNode trace = JSON.readTree(s.steps().stream().filter(st -> st.step().startsWith("enrich(")).findFirst().orElseThrow().output());
            if (trace.get("cache").asText().equals("hit")) {
                hits++;
            } else {
                misses++;
            }
        }
        System.out.println("enrich: lineage shows " + hits + " cached answers and " + misses + " reads");
        assertEquals(1000, hits + misses);
        assertEquals(lookups, misses, "each read is one lineage miss");
        long cachedAnswers = hits;
        long reads = misses;
        Await.until(Duration.ofSeconds(20), () -> cacheCount("hit") == cachedAnswers && cacheCount("miss") == reads,
                () -> "metrics: hit " + cacheCount("hit") + ", miss " + cacheCount("miss"));
    }

    @Test
    void aLookupSystemAnswering503ThenRecoveringLosesNothing() throws Exception {
        List<String> keys = IntStream.range(0, 100).mapToObj(i -> "recovering-" + i).toList();
        Map<String, Integer> answers = BulkSender.post(server.url("/webhooks/recovering"), keys, key -> order(key, "F-" + (key.hashCode() & 0x7fffffff) % 5), 16);
        assertTrue(answers.values().stream().allMatch(s -> s == 202), "every order accepted: " + BulkSender.count(answers));
        Await.until(Duration.ofSeconds(60), () -> keys.stream().allMatch(k -> erp.successes(k) >= 1), () -> "not all delivered: "
                + keys.stream().filter(k -> erp.successes(k) == 0).count() + " missing");
        // Every delivery settled (the settlement is persisted after the target's answer, in batches): only then are the counts final.
        Await.until(Duration.ofSeconds(30), () -> settledAsDelivered("recovering") == 100, () -> "not all settled as delivered");
        long lost = keys.stream().filter(k -> erp.successes(k) == 0).count();
        long twice = keys.stream().filter(k -> erp.successes(k) > 1 || erp.messageIds(k).size() != 1).count();
        int reads = calls.entrySet().stream().filter(e -> e.getKey().startsWith("/flaky/")).mapToInt(e -> e.getValue().get()).sum();
        System.out.println("enrich: 503 then recovery: " + reads + " reads, " + lost + " lost, " + twice + " delivered twice");
        assertEquals(0, lost);
        assertEquals(0, twice);
        assertTrue(unavailable.get() < 0, "the system did answer 503 first");
        Map<String, Settlement> settlements = Outcomes.read(server.junction().system(), "recovering", PARTITIONS);
        assertEquals(100, settlements.values().stream().filter(s -> s.targets().get(0).status() == Status.DELIVERED).count());
    }

    @Test
    void aNotFoundAnswerFollowsOnNotFound() throws Exception {
        String asNull = server.postAccepted("/webhooks/missing-null", "nf-null", order("nf-null", "MISSING-1"));
        String asDead = server.postAccepted("/webhooks/missing-dead", "nf-dead", order("nf-dead", "MISSING-1"));

        Settlement delivered = Outcomes.await(server.junction().system(), "missing-null", PARTITIONS, asNull);
        assertEquals(Status.DELIVERED, delivered.targets().get(0).status());
        JsonNode body = JSON.readTree(erp.lastBody("nf-null"));
        assertTrue(body.has("stock") && body.get("stock").isNull(), body.toString());

        Settlement dead = Outcomes.await(server.junction().system(), "missing-dead", PARTITIONS, asDead);
        Settlement.TargetOutcome outcome = dead.targets().get(0);
        assertEquals(Status.DEAD_LETTERED, outcome.status());
        assertEquals("enrich-not-found", outcome.errorClass());
        assertTrue(outcome.detail().contains("inventory GET /stock/MISSING-1"), outcome.detail());
        assertEquals(0, erp.requests("nf-dead"));
    }

    private int stockCalls() {
        return calls.entrySet().stream().filter(e -> e.getKey().startsWith("/stock/SKU-")).mapToInt(e -> e.getValue().get()).sum();
    }

    private double cacheCount(String result) {
        try {
            return new PrometheusText(server.get("/metrics").body())
                    .valueOr0("junction_enrich_cache_total", "integration", "cached", "step", "0", "result", result);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String order(String id, String sku) {
        return """
            {"id":"%s","lines":[{"sku":"%s","qty":1}]}""".formatted(id, sku);
    }

    private long settledAsDelivered(String integration) {
        try {
            return Outcomes.read(server.junction().system(), integration, PARTITIONS).values().stream()
                    .filter(s -> s.targets().get(0).status() == Status.DELIVERED).count();
        } catch (Exception e) {
            throw new IllegalStateException("reading the settlements of " + integration, e);
        }
    }
}
