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
 * came from the cache, and a 404 follows {@code on-not-found}. With {@code for-each} the same holds per element of an array
 * (1,000 orders of three lines over 20 SKUs: at most 20 calls). A path built from a masked field is read with the real value
 * and shown masked everywhere people look.
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
    /** The same for the reads of every line of an order. */
    private final AtomicInteger unavailableEach = new AtomicInteger(30);
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
            int status = path.contains("MISSING") ? 404 : path.startsWith("/flaky/") && unavailable.getAndDecrement() > 0 ? 503
                    : path.startsWith("/flaky-each/") && unavailableEach.getAndDecrement() > 0 ? 503
                    : path.startsWith("/customers/blocked") ? 503 : 200;
            byte[] body = status != 200 ? new byte[0] : path.startsWith("/customers/") ? "{\"tier\":\"gold\"}".getBytes(StandardCharsets.UTF_8)
                    : ("{\"sku\":\"" + path.substring(path.lastIndexOf('/') + 1) + "\",\"available\":7}").getBytes(StandardCharsets.UTF_8);
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
                crm { connector = http, base-url = "%s"
                      resilience { circuit-breaker.enabled = false, retry { max-attempts = 3, min-backoff = 20ms, max-backoff = 50ms } } }
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
                lines { source { system = webshop, webhook { path = "lines" } }
                  steps = [ { enrich { system = inventory, for-each = "/lines", http { path = "/each/{/sku}" } } } ]
                  targets = [ { system = erp, http { path = "/orders" } } ] }
                lines-recovering { source { system = webshop, webhook { path = "lines-recovering" } }
                  steps = [ { enrich { system = flaky, for-each = "/lines", http { path = "/flaky-each/{/sku}" }, into = "/stock" } } ]
                  targets = [ { system = erp, http { path = "/orders" } } ] }
                profiles { source { system = webshop, webhook { path = "profiles" } }
                  mask = ["/customer/email"]
                  steps = [ { enrich { system = crm, http { path = "/customers/{/customer/email}" }, into = "/profile" } } ]
                  targets = [ { system = erp, http { path = "/orders" } } ] }
                missing-dead { source { system = webshop, webhook { path = "missing-dead" } }
                  steps = [ { enrich { system = inventory, http { path = "/stock/{/lines/0/sku}" }, into = "/stock", on-not-found = dead-letter } } ]
                  targets = [ { system = erp, http { path = "/orders" } } ] }
              }
            }
            """.formatted(PARTITIONS, lookup, lookup, lookup, erp.baseUrl()));
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
        assertTrue(answers.values().stream().allMatch(EnrichTest::accepted), "every order accepted: " + BulkSender.count(answers));
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
        assertTrue(answers.values().stream().allMatch(EnrichTest::accepted), "every order accepted: " + BulkSender.count(answers));
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

    @Test
    void aThousandOrdersOfThreeLinesOverTwentySkusReadEachSkuOnceAndEveryLineIsEnriched() throws Exception {
        List<String> keys = IntStream.range(0, 1000).mapToObj(i -> "lines-" + i).toList();
        Map<String, Integer> answers = BulkSender.post(server.url("/webhooks/lines"), keys, key -> lines(key, "E-", 20), 32);
        assertTrue(answers.values().stream().allMatch(EnrichTest::accepted), "every order accepted: " + BulkSender.count(answers));
        Await.until(Duration.ofSeconds(180), () -> keys.stream().allMatch(k -> erp.successes(k) == 1), () -> "not all delivered: "
                + keys.stream().filter(k -> erp.successes(k) != 1).count() + " not once, after " + calls("/each/") + " lookup calls");

        int lookups = calls("/each/");
        System.out.println("enrich for-each: 1000 orders x 3 lines over 20 SKUs made " + lookups + " calls to the lookup system");
        assertTrue(lookups <= 20, lookups + " calls for 20 distinct SKUs");
        long twice = keys.stream().filter(k -> erp.successes(k) != 1 || erp.messageIds(k).size() != 1).count();
        assertEquals(0, twice, "orders not delivered exactly once (per key and per message id)");
        for (String key : keys) {
            JsonNode body = JSON.readTree(erp.lastBody(key));
            assertEquals(3, body.get("lines").size(), key);
            for (JsonNode line : body.get("lines")) {
                assertEquals(7, line.path("available").asInt(), () -> key + ": a line not enriched: " + body);
                assertEquals(3, line.size(), () -> key + ": the answer merged into the line (sku, qty, available): " + body);
            }
        }
        Await.until(Duration.ofSeconds(30), () -> settledAsDelivered("lines") == 1000, () -> "not all settled as delivered");
        long hits = 0;
        long misses = 0;
        for (Settlement s : Outcomes.read(server.junction().system(), "lines", PARTITIONS).values()) {
            JsonNode trace = JSON.readTree(s.steps().stream().filter(st -> st.step().startsWith("enrich(")).findFirst().orElseThrow().output());
            assertEquals("/lines", trace.get("forEach").asText());
            assertEquals(3, trace.get("elements").size(), trace::toString);
            for (JsonNode element : trace.get("elements")) {
                assertTrue(element.get("found").asBoolean() && element.get("path").asText().startsWith("/each/E-"), trace::toString);
                if (element.get("cache").asText().equals("hit")) {
                    hits++;
                } else {
                    misses++;
                }
            }
        }
        System.out.println("enrich for-each: lineage shows " + hits + " cached answers and " + misses + " reads");
        assertEquals(3000, hits + misses);
        assertEquals(lookups, misses, "each read is one lineage miss");
    }

    @Test
    void aLookupOfEveryLineAnswering503ThenRecoveringLosesNothing() throws Exception {
        List<String> keys = IntStream.range(0, 50).mapToObj(i -> "lines-recovering-" + i).toList();
        Map<String, Integer> answers = BulkSender.post(server.url("/webhooks/lines-recovering"), keys, key -> lines(key, "FE-", 5), 16);
        assertTrue(answers.values().stream().allMatch(EnrichTest::accepted), "every order accepted: " + BulkSender.count(answers));
        Await.until(Duration.ofSeconds(60), () -> keys.stream().allMatch(k -> erp.successes(k) >= 1), () -> "not all delivered: "
                + keys.stream().filter(k -> erp.successes(k) == 0).count() + " missing");
        Await.until(Duration.ofSeconds(30), () -> settledAsDelivered("lines-recovering") == 50, () -> "not all settled as delivered");
        long twice = keys.stream().filter(k -> erp.successes(k) > 1 || erp.messageIds(k).size() != 1).count();
        System.out.println("enrich for-each: 503 then recovery: " + calls("/flaky-each/") + " reads, 0 lost, " + twice + " delivered twice");
        assertEquals(0, twice);
        assertTrue(unavailableEach.get() < 0, "the system did answer 503 first");
        for (String key : keys) {
            JsonNode body = JSON.readTree(erp.lastBody(key));
            for (JsonNode line : body.get("lines")) {
                assertEquals(line.get("sku").asText(), line.at("/stock/sku").asText(), () -> key + ": " + body);
            }
        }
    }

    /**
     * A path built from a masked field: the read uses the real value (the system sees it), while the lineage, the dead letter,
     * the system's status and every log line show the path with {@code ***}; neither the value nor its URL-encoded form appears
     * in any answer of the admin API or any log line.
     */
    @Test
    void aPathBuiltFromAMaskedFieldIsShownMaskedEverywhereAndReadWithTheRealValue() throws Exception {
        String good = "grace.hopper@example.org";
        String blocked = "blocked.babbage@example.org";
        java.util.concurrent.ConcurrentLinkedQueue<String> lines = new java.util.concurrent.ConcurrentLinkedQueue<>();
        ch.qos.logback.classic.LoggerContext context = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> capture = new ch.qos.logback.core.AppenderBase<>() {
            @Override
            protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
                lines.add(event.getLoggerName() + " " + event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                        : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(event.getThrowableProxy())));
            }
        };
        capture.setContext(context);
        capture.start();
        ch.qos.logback.classic.Logger root = context.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Logger junction = context.getLogger("dev.junction");
        ch.qos.logback.classic.Level[] before = {root.getLevel(), junction.getLevel()};
        root.addAppender(capture);
        root.setLevel(ch.qos.logback.classic.Level.INFO);
        junction.setLevel(ch.qos.logback.classic.Level.DEBUG);
        List<String> shown = new java.util.ArrayList<>();
        String delivered;
        String dead;
        try {
            delivered = server.postAccepted("/webhooks/profiles", "p-good", customer("p-good", good));
            dead = server.postAccepted("/webhooks/profiles", "p-blocked", customer("p-blocked", blocked));
            Settlement ok = Outcomes.await(server.junction().system(), "profiles", PARTITIONS, delivered);
            Settlement refused = Outcomes.await(server.junction().system(), "profiles", PARTITIONS, dead);
            assertEquals(Status.DELIVERED, ok.targets().get(0).status());
            assertEquals(Status.DEAD_LETTERED, refused.targets().get(0).status());
            for (String path : List.of("/api/v1/messages/" + delivered, "/api/v1/messages/" + dead, "/api/v1/dead-letters",
                    "/api/v1/dead-letters/" + dead, "/api/v1/dead-letters?integration=profiles", "/api/v1/systems",
                    "/api/v1/systems/crm", "/api/v1/messages?integration=profiles&key=p-good")) {
                java.net.http.HttpResponse<String> answer = server.get(path);
                assertEquals(200, answer.statusCode(), () -> path + ": " + answer.body());
                shown.add(path + " -> " + answer.body());
            }
        } finally {
            root.detachAppender(capture);
            root.setLevel(before[0]);
            junction.setLevel(before[1]);
        }
        int searched = 0;
        // "hopper" and "babbage" also find the values URL-encoded, as a path carries them
        for (String value : List.of(good, blocked, "hopper", "babbage")) {
            for (String answer : shown) {
                searched++;
                assertTrue(!answer.contains(value), () -> "an answer shows " + value + ": " + answer);
            }
            for (String line : lines) {
                searched++;
                assertTrue(!line.contains(value), () -> "a log line shows " + value + ": " + line);
            }
        }
        System.out.println("enrich masking: searched " + shown.size() + " answers and " + lines.size() + " log lines ("
                + searched + " checks): none shows the masked value");
        String all = String.join("\n", shown);
        assertTrue(shown.get(0).contains("/customers/***"), () -> "the lineage shows the path masked: " + shown.get(0));
        assertTrue(shown.get(3).contains("crm GET /customers/***"), () -> "the dead letter names the path masked: " + shown.get(3));
        assertTrue(shown.get(6).contains("/customers/***"), () -> "the system's last failure shows the path masked: " + shown.get(6));
        assertTrue(lines.stream().anyMatch(l -> l.contains("dead letter " + dead) && l.contains("/customers/***")),
                () -> "the dead letter's log line, masked: " + lines);
        java.util.Set<String> read = calls.keySet().stream().map(p -> java.net.URLDecoder.decode(p, StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.toSet());
        assertTrue(read.contains("/customers/" + good) && read.contains("/customers/" + blocked),
                () -> "the system was read with the real values: " + calls.keySet());
        assertEquals("gold", JSON.readTree(erp.lastBody("p-good")).at("/profile/tier").asText(), all);
    }

    private static String customer(String id, String email) {
        return """
            {"id":"%s","customer":{"email":"%s","name":"Ada"},"lines":[{"sku":"X-1","qty":1}]}""".formatted(id, email);
    }

    /** An order of three lines, their SKUs distinct and drawn from {@code skus} of them. */
    private static String lines(String key, String prefix, int skus) {
        int i = Integer.parseInt(key.substring(key.lastIndexOf('-') + 1));
        return """
            {"id":"%s","lines":[{"sku":"%s%d","qty":1},{"sku":"%s%d","qty":2},{"sku":"%s%d","qty":3}]}"""
                .formatted(key, prefix, i % skus, prefix, (i + 1) % skus, prefix, (i + 2) % skus);
    }

    /** 202, or 200: a sender's retry after a timeout (a loaded machine), answered as the duplicate of what was accepted. */
    private static boolean accepted(int status) {
        return status == 202 || status == 200;
    }

    private int calls(String prefix) {
        return calls.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToInt(e -> e.getValue().get()).sum();
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
