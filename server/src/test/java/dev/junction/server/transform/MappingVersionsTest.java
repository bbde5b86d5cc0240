package dev.junction.server.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapping moves from version 1 to 2 by editing the configuration of a running server: messages already accepted keep the
 * revision they were accepted under, new ones take the new one; a dead-letter replay chooses the version the message was first
 * mapped with or the current one; reprocessing sends stored originals through the new version; a broken change is refused whole.
 * Each test starts its own server at version 1 and makes the history it needs, so any one of them runs alone and in any order.
 */
class MappingVersionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V2_FIELD = "mappingVersion";

    @TempDir
    Path dir;
    private Path config;
    private RecordingTarget erp;
    private RecordingTarget slow;
    private RunningServer server;
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final Map<String, String> ids = new ConcurrentHashMap<>();
    private final List<String> slowBefore = new ArrayList<>();
    private final List<String> slowAfter = new ArrayList<>();
    private Instant started;
    private String revision1;

    @BeforeEach
    void start() throws Exception {
        started = Instant.now();
        refused.addAll(Set.of("K1", "K2"));
        erp = new RecordingTarget().respondWith((key, n) -> refused.contains(key) ? 400 : 200);
        slow = new RecordingTarget().delay(150);
        config = TestConfig.write(dir, config("""
            { map { mapping = "mappings/order-to-erp.jslt", version = 1 } }"""));
        Files.writeString(dir.resolve("mappings/order-to-erp.v2.jslt"),
                Files.readString(dir.resolve("mappings/order-to-erp.jslt")).replace("// Web shop order -> ERP sales order, version 1.",
                        "// version 2: says so\n") .replaceFirst("\\{", "{\n  \"" + V2_FIELD + "\": 2,"));
        server = RunningServer.start(config, dir.resolve("data"), Map.of());
    }

    private String config(String mapStep) {
        return """
            junction {
              http.port = 0
              node.port = 0
              inbox.partitions = 4
              systems {
                webshop { connector = http }
                erp { connector = http, base-url = "%s" }
                slow { connector = http, base-url = "%s", resilience.max-in-flight = 1 }
              }
              integrations {
                orders-to-erp {
                  source { system = webshop, webhook { path = "webshop/orders" } }
                  steps = [ %s ]
                  targets = [ { system = erp, http { method = POST, path = "/orders" } } ]
                }
                orders-to-slow {
                  source { system = webshop, webhook { path = "webshop/slow" } }
                  steps = [ %s ]
                  targets = [ { system = slow, http { method = POST, path = "/orders" } } ]
                }
              }
            }
            """.formatted(erp == null ? "http://127.0.0.1:1" : erp.baseUrl(), slow == null ? "http://127.0.0.1:1" : slow.baseUrl(),
                mapStep, mapStep);
    }

    private static final String V2_STEP = """
        { map { mapping = "mappings/order-to-erp.v2.jslt", version = 2, earlier-versions { 1 = "mappings/order-to-erp.jslt" } } }""";

    @AfterEach
    void stop() throws Exception {
        server.close();
        erp.close();
        slow.close();
    }

    @Test
    void aReloadChangesNewMessagesOnlyEvenWithMessagesInFlight() throws Exception {
        for (int i = 0; i < 10; i++) {
            slowBefore.add("S" + i);
            accepted("/webhooks/webshop/slow", "S" + i);
        }
        revision1 = integration("orders-to-erp").get("revision").asText();
        assertTrue(slow.applied().size() < 10, "the slow target still has messages to go when the mapping changes");

        JsonNode changes = reloadToVersion2().get("changes");
        assertTrue(changes.toString().contains("orders-to-erp: revision " + revision1 + " -> "), changes::toString);
        assertTrue(changes.toString().contains("[order-to-erp.jslt@v1] -> [order-to-erp.jslt@v2]"), changes::toString);

        for (int i = 10; i < 20; i++) {
            slowAfter.add("S" + i);
            accepted("/webhooks/webshop/slow", "S" + i);
        }
        Await.until(Duration.ofSeconds(30), () -> slow.applied().size() == 20, () -> slow.applied().size() + " of 20 delivered");
        for (String key : slowBefore) {
            assertFalse(body(slow, key).has(V2_FIELD), () -> key + " was accepted under version 1: " + body(slow, key));
        }
        for (String key : slowAfter) {
            assertEquals(2, body(slow, key).get(V2_FIELD).asInt(), () -> key + " was accepted under version 2");
        }
        JsonNode now = integration("orders-to-erp");
        assertEquals(List.of("order-to-erp.jslt@v1", "order-to-erp.jslt@v2"), JSON.convertValue(now.get("mappingVersions"), List.class));
        assertTrue(now.get("loadedRevisions").toString().contains(revision1), now::toString);
    }

    @Test
    void aReplayUsesTheVersionTheMessageWasFirstMappedWithOrTheCurrentOneAsAsked() throws Exception {
        acceptUnderVersion1();
        Await.until(Duration.ofSeconds(20), () -> deadLettered("K1") && deadLettered("K2"), () -> "K1 and K2 not dead-lettered yet");
        refused.clear();
        HttpResponse<String> original = server.postJson("/api/v1/dead-letters/" + ids.get("K1") + "/replay",
                "{\"mappings\":\"original\",\"by\":\"ops\",\"reason\":\"ERP fixed\"}");
        assertEquals(200, original.statusCode(), original::body);
        HttpResponse<String> current = server.postJson("/api/v1/dead-letters/" + ids.get("K2") + "/replay",
                "{\"mappings\":\"current\",\"by\":\"ops\",\"reason\":\"ERP fixed, new mapping\"}");
        assertEquals(200, current.statusCode(), current::body);
        Await.until(Duration.ofSeconds(20), () -> erp.applied().containsAll(Set.of("K1", "K2")), () -> "applied " + erp.applied());

        assertFalse(delivered("K1").has(V2_FIELD), "K1 replayed with version 1");
        assertEquals(2, delivered("K2").get(V2_FIELD).asInt(), "K2 replayed with version 2");
        Await.until(Duration.ofSeconds(10), () -> lineage("K2").get("deliveries").size() == 2 && lineage("K1").get("deliveries").size() == 2,
                () -> "second deliveries of K1 and K2 settled");
        JsonNode k2 = lineage("K2");
        assertEquals("[\"order-to-erp.jslt@v1\"]", k2.get("deliveries").get(0).get("mappingVersions").toString());
        assertEquals("[\"order-to-erp.jslt@v2\"]", k2.get("deliveries").get(1).get("mappingVersions").toString());
        assertEquals("mappings: current", k2.get("operations").get(0).get("detail").asText());
        assertEquals("[\"order-to-erp.jslt@v1\"]", lineage("K1").get("deliveries").get(1).get("mappingVersions").toString());

        HttpResponse<String> bad = server.postJson("/api/v1/dead-letters/replay", "{\"mappings\":\"newest\"}");
        assertEquals(400, bad.statusCode(), bad::body);
    }

    @Test
    void reprocessingSendsStoredOriginalsOfATimeRangeThroughTheNewVersionToATarget() throws Exception {
        acceptUnderVersion1();
        String k4 = accepted("/webhooks/webshop/orders", "K4");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("K4"), () -> "K4 not delivered");
        assertEquals(2, delivered("K4").get(V2_FIELD).asInt());
        HttpResponse<String> response = server.postJson("/api/v1/integrations/orders-to-erp/reprocess", """
            {"from":"%s","to":"%s","target":"erp","by":"ops","reason":"re-send with version 2"}"""
                .formatted(started, Instant.now().plusSeconds(1)));
        assertEquals(200, response.statusCode(), response::body);
        JsonNode done = JSON.readTree(response.body());
        assertEquals(4, done.get("originals").asInt(), done::toString);
        String operation = done.get("operationId").asText();
        for (String key : List.of("K1", "K2", "K3", "K4")) {
            String copyKey = key + ":reprocess:" + operation;
            Await.until(Duration.ofSeconds(20), () -> erp.applied().contains(copyKey), () -> copyKey + " not delivered");
            assertEquals(2, JSON.readTree(erp.bodies(copyKey).iterator().next()).get(V2_FIELD).asInt(), copyKey);
            assertEquals(1, erp.requests(key + ":reprocess:" + operation));
        }
        JsonNode k3 = lineage("K3");
        assertEquals("reprocessed", k3.get("operations").get(0).get("action").asText(), k3::toString);
        assertEquals("re-send with version 2", k3.get("operations").get(0).get("reason").asText());
        assertTrue(k4.length() > 0);

        assertEquals(400, server.postJson("/api/v1/integrations/orders-to-erp/reprocess",
                "{\"from\":\"%s\",\"to\":\"%s\",\"target\":\"crm\",\"reason\":\"x\"}".formatted(started, Instant.now())).statusCode());
        assertEquals(400, server.postJson("/api/v1/integrations/orders-to-erp/reprocess",
                "{\"from\":\"%s\",\"to\":\"%s\",\"target\":\"erp\"}".formatted(started, Instant.now())).statusCode());
    }

    @Test
    void aBrokenChangeIsRefusedWholeAndTheRunningRevisionStays() throws Exception {
        reloadToVersion2();
        String before = integration("orders-to-erp").get("revision").asText();
        Files.writeString(dir.resolve("mappings/order-to-erp.v3.jslt"), "{ \"orderNumber\": .id, ");
        String broken = config("""
            { map { mapping = "mappings/order-to-erp.v3.jslt", version = 3, earlier-versions { 1 = "mappings/order-to-erp.jslt" } } }""")
                .replace("resilience.max-in-flight = 1", "resilience.max-in-flight = 2");
        Files.writeString(config, broken);
        HttpResponse<String> response = server.postJson("/api/v1/integrations/reload", "");
        assertEquals(422, response.statusCode(), response::body);
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        String problems = JSON.readTree(response.body()).get("problems").toString();
        assertTrue(problems.contains("junction.integrations.orders-to-erp.steps.0.map.mapping") && problems.contains("does not compile"), problems);
        assertEquals(before, integration("orders-to-erp").get("revision").asText());

        Files.writeString(config, config(V2_STEP).replace("resilience.max-in-flight = 1", "resilience.max-in-flight = 2"));
        HttpResponse<String> restartOnly = server.postJson("/api/v1/integrations/reload", "");
        assertEquals(422, restartOnly.statusCode(), restartOnly::body);
        assertTrue(restartOnly.body().contains("junction.systems.slow: changed, and only a restart applies it"), restartOnly::body);
        Files.writeString(config, config(V2_STEP));
    }

    @Test
    void aChangedFileIsPickedUpWithoutBeingAsked() throws Exception {
        reloadToVersion2();
        String before = integration("orders-to-slow").get("revision").asText();
        Files.writeString(config, config(V2_STEP).replace("orders-to-slow {", "orders-to-slow {\n description = \"now described\""));
        Await.until(Duration.ofSeconds(15), () -> !revisionOf("orders-to-slow").equals(before), () -> "revision still " + before);
    }

    @Test
    void theConfigurationCanBeReplacedThroughTheAdminApiAndABadOneLeavesTheFileAlone() throws Exception {
        reloadToVersion2();
        String before = Files.readString(config);
        assertEquals(before, server.get("/api/v1/configuration").body());
        String broken = before.replace("version = 2", "version = 0");
        HttpResponse<String> refused = put(broken);
        assertEquals(422, refused.statusCode(), refused::body);
        assertTrue(refused.body().contains("junction.conf (proposed)") && refused.body().contains("must be 1 or more"), refused::body);
        assertEquals(before, Files.readString(config), "a refused change leaves the file as it was");

        String revision = revisionOf("orders-to-erp");
        HttpResponse<String> applied = put(before.replace("orders-to-erp {", "orders-to-erp {\n description = \"put through the API\""));
        assertEquals(200, applied.statusCode(), applied::body);
        assertTrue(Files.readString(config).contains("put through the API"));
        assertFalse(revisionOf("orders-to-erp").equals(revision));
        accepted("/webhooks/webshop/orders", "K5");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("K5"), () -> "K5 not delivered after the change");
    }

    /** K1 and K2 (which the ERP refuses until told otherwise) and K3, accepted under version 1, then version 2 loaded. */
    private void acceptUnderVersion1() throws Exception {
        for (String key : List.of("K1", "K2", "K3")) {
            ids.put(key, accepted("/webhooks/webshop/orders", key));
        }
        reloadToVersion2();
    }

    /** Writes version 2 into the configuration and reloads it; the reload's answer. */
    private JsonNode reloadToVersion2() throws Exception {
        Files.writeString(config, config(V2_STEP));
        HttpResponse<String> reload = server.postJson("/api/v1/integrations/reload", "");
        assertEquals(200, reload.statusCode(), reload::body);
        return JSON.readTree(reload.body());
    }

    private HttpResponse<String> put(String text) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/api/v1/configuration")))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(text)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The integration's revision. A failed request or an answer without a revision fails the test: read as "" or "null", it
     * would differ from any real revision and satisfy a wait for a change.
     */
    private String revisionOf(String integration) {
        JsonNode revision;
        try {
            revision = integration(integration).get("revision");
        } catch (Exception e) {
            throw new IllegalStateException("no answer about " + integration, e);
        }
        assertTrue(revision != null && revision.isTextual() && !revision.asText().isEmpty(), () -> integration + " has no revision: " + revision);
        return revision.asText();
    }

    private JsonNode integration(String name) throws Exception {
        HttpResponse<String> response = server.get("/api/v1/integrations/" + name);
        assertEquals(200, response.statusCode(), response::body);
        return JSON.readTree(response.body());
    }

    private boolean deadLettered(String key) {
        try {
            return server.get("/api/v1/dead-letters/" + ids.get(key)).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private JsonNode lineage(String key) {
        try {
            return JSON.readTree(server.get("/api/v1/messages?integration=orders-to-erp&key=" + key).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body of the ERP's latest request with {@code key}: the one it confirmed. */
    private JsonNode delivered(String key) throws Exception {
        return JSON.readTree(erp.lastBody(key));
    }

    private static JsonNode body(RecordingTarget target, String key) {
        try {
            return JSON.readTree(target.bodies(key).iterator().next());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String accepted(String path, String key) throws Exception {
        return server.postAccepted(path, key, TestConfig.order("SO-" + key));
    }
}
