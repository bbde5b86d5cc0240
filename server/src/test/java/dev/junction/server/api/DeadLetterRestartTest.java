package dev.junction.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dead letters, replays and discards survive restarts, through snapshots and the journal. */
class DeadLetterRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> POISON = List.of("order-7", "order-77", "order-107");

    @TempDir
    Path dir;
    private volatile boolean fixed;

    @Test
    void deadLettersAndWhatOperatorsDidToThemSurviveRestarts() throws Exception {
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> POISON.contains(key) && !fixed ? 422 : 200)) {
            // One partition and a snapshot every 100 events: the restarts recover from a snapshot plus the events after it.
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), "")
                    .replace("http.port = 0", "http.port = 0\n  inbox { partitions = 1, snapshot-every = 100 }"));
            Path data = dir.resolve("data");
            try (RunningServer server = RunningServer.start(config, data, Map.of())) {
                for (int i = 0; i < 120; i++) {
                    server.postAccepted("/webhooks/webshop/orders", "order-" + i, TestConfig.order("SO-" + i));
                }
                Await.until(Duration.ofSeconds(20), () -> erp.applied().size() == 117 && matched(server) == 3, () -> "not settled");
            }
            try (RunningServer server = RunningServer.start(config, data, Map.of())) {
                JsonNode listing = JSON.readTree(server.get("/api/v1/dead-letters").body());
                assertEquals(3, listing.get("matched").asInt(), listing::toString);
                String discarded = listing.get("items").get(0).get("messageId").asText();
                assertEquals(200, server.postJson("/api/v1/dead-letters/" + discarded + "/discard", "{\"reason\":\"duplicate order\",\"by\":\"ada\"}").statusCode());
                fixed = true;
                JsonNode replayed = JSON.readTree(server.postJson("/api/v1/dead-letters/replay", "{\"by\":\"ops\",\"reason\":\"fixed\"}").body());
                assertEquals(2, replayed.get("count").asInt(), replayed::toString);
                Await.until(Duration.ofSeconds(20), () -> erp.applied().size() == 119, () -> erp.applied().size() + " applied");
            }
            try (RunningServer server = RunningServer.start(config, data, Map.of())) {
                assertEquals(0, matched(server), "nothing is dead-lettered after the replay");
                JsonNode audit = JSON.readTree(server.get("/api/v1/dead-letters/audit").body()).get("items");
                assertEquals(3, audit.size(), audit::toString);
                assertEquals("discarded", audit.get(audit.size() - 1).get("action").asText());
                assertEquals("duplicate order", audit.get(audit.size() - 1).get("reason").asText());
                // One partition: a replayed message the restart delivered again would come before this marker.
                server.postAccepted("/webhooks/webshop/orders", "after-restart", TestConfig.order("SO-after-restart"));
                Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("after-restart"), () -> "the marker not delivered");
                for (String key : POISON) {
                    assertEquals(erp.applied().contains(key) ? 1 : 0, erp.successes(key), key);
                }
            }
        }
    }

    private static int matched(RunningServer server) {
        try {
            return JSON.readTree(server.get("/api/v1/dead-letters").body()).get("matched").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
