package dev.junction.server.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages accepted under mapping version 1, still pending when the server stops, are mapped with version 1 after it restarts
 * on a configuration whose current version is 2 (version 1 kept under earlier-versions); new messages take version 2.
 */
class RevisionRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PENDING = List.of("K1", "K2", "K3");

    @TempDir
    Path dir;

    @Test
    void pendingMessagesKeepTheMappingVersionTheyWereAcceptedUnderAcrossARestart() throws Exception {
        boolean[] down = {true};
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> down[0] ? 503 : 200)) {
            Path config = TestConfig.write(dir, config(erp, """
                { map { mapping = "mappings/order-to-erp.jslt", version = 1 } }"""));
            Files.writeString(dir.resolve("mappings/order-to-erp.v2.jslt"), Files.readString(dir.resolve("mappings/order-to-erp.jslt"))
                    .replaceFirst("\\{", "{\n  \"mappingVersion\": 2,"));
            Path data = dir.resolve("data");
            String revision1;
            try (RunningServer server = RunningServer.start(config, data, Map.of())) {
                for (String key : PENDING) {
                    server.postAccepted("/webhooks/webshop/orders", key, TestConfig.order("SO-" + key));
                }
                Await.until(Duration.ofSeconds(20), () -> PENDING.stream().allMatch(k -> erp.requests(k) > 0), () -> "not every key tried yet");
                revision1 = lineage(server, "K1").get("revision").asText();
            }

            Files.writeString(config, config(erp, """
                { map { mapping = "mappings/order-to-erp.v2.jslt", version = 2, earlier-versions { 1 = "mappings/order-to-erp.jslt" } } }"""));
            down[0] = false;
            try (RunningServer server = RunningServer.start(config, data, Map.of())) {
                server.postAccepted("/webhooks/webshop/orders", "K4", TestConfig.order("SO-K4"));
                Await.until(Duration.ofSeconds(30), () -> erp.applied().containsAll(List.of("K1", "K2", "K3", "K4")),
                        () -> "applied: " + erp.applied());
                for (String key : PENDING) {
                    assertFalse(JSON.readTree(erp.lastBody(key)).has("mappingVersion"), key + " was accepted under version 1");
                }
                assertEquals(2, JSON.readTree(erp.lastBody("K4")).get("mappingVersion").asInt());

                Await.until(Duration.ofSeconds(10), () -> lineage(server, "K1").get("status").asText().equals("delivered"), () -> "K1 settled");
                JsonNode k1 = lineage(server, "K1");
                assertEquals(revision1, k1.get("revision").asText(), "accepted under the first revision");
                JsonNode delivery = k1.get("deliveries").get(k1.get("deliveries").size() - 1);
                assertNotEquals(revision1, delivery.get("revision").asText(), "delivered by the revision loaded now");
                assertEquals("[\"order-to-erp.jslt@v1\"]", delivery.get("mappingVersions").toString());
            }
        }
    }

    private static String config(RecordingTarget erp, String mapStep) {
        return """
            junction {
              http.port = 0
              node.port = 0
              inbox.partitions = 2
              systems {
                webshop { connector = http }
                erp {
                  connector = http
                  base-url = "%s"
                  resilience.retry { max-attempts = 100, min-backoff = 100ms, max-backoff = 500ms }
                  resilience.circuit-breaker.enabled = false
                }
              }
              integrations {
                orders-to-erp {
                  source { system = webshop, webhook { path = "webshop/orders" } }
                  steps = [ %s ]
                  targets = [ { system = erp, http { method = POST, path = "/orders" } } ]
                }
              }
            }
            """.formatted(erp.baseUrl(), mapStep);
    }

    private static JsonNode lineage(RunningServer server, String key) {
        try {
            return JSON.readTree(server.get("/api/v1/messages?integration=orders-to-erp&key=" + key).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
