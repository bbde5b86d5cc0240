package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Effects;
import dev.junction.server.testing.Partitioning;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stopped and started again on the same journal remembers every key and delivers what it had not delivered yet. Snapshots
 * are taken every 100 events here, so recovery goes through snapshot and journal both.
 */
class InboxRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/webhooks/webshop/orders";
    private static final Map<String, String> ENV = Map.of("JUNCTION_PARTITIONS", "2");

    @TempDir
    Path dir;

    @Test
    void remembersKeysAndDeliversPendingEnvelopesAfterARestart() throws Exception {
        try (RecordingTarget target = new RecordingTarget()) {
            // The target is down during the first run: everything accepted stays pending.
            target.respondWith((key, n) -> 503);
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
                    "resilience.retry { max-attempts = 1000, min-backoff = 100ms, max-backoff = 200ms }")
                    .replace("node.port = 0", "node.port = 0\n  inbox.snapshot-every = 100"));
            List<String> keys = IntStream.range(0, 300).mapToObj(i -> "restart-" + i).toList();
            Map<String, String> ids = new HashMap<>();
            int snapshots;

            try (RunningServer first = RunningServer.start(config, dir.resolve("data"), ENV)) {
                for (String key : keys) {
                    HttpResponse<String> response = first.post(PATH, key, TestConfig.order(key));
                    assertEquals(202, response.statusCode(), response.body());
                    ids.put(key, JSON.readTree(response.body()).get("messageId").asText());
                }
                snapshots = countSnapshots(first.settings.persistence().jdbcUrl());
            }
            assertEquals(0, target.applied().size());
            assertTrue(snapshots >= 2, "each partition took a snapshot: " + snapshots);

            target.respondWith((key, n) -> 200);
            try (RunningServer second = RunningServer.start(config, dir.resolve("data"), ENV)) {
                Await.until(Duration.ofSeconds(30), () -> target.applied().size() == keys.size(),
                        () -> target.applied().size() + " of " + keys.size() + " delivered after the restart");
                for (String key : List.of(keys.get(0), keys.get(150), keys.get(299))) {
                    HttpResponse<String> again = second.post(PATH, key, TestConfig.order(key));
                    assertEquals(200, again.statusCode(), again.body());
                    assertEquals(ids.get(key), JSON.readTree(again.body()).get("messageId").asText(), "the original id");
                    // Accepted after the repost in its partition: once it is delivered, whatever the repost caused was too.
                    String marker = Partitioning.markerBeside(key, 2, "after-" + key);
                    assertEquals(202, second.post(PATH, marker, TestConfig.order(marker)).statusCode());
                    Await.until(Duration.ofSeconds(30), () -> target.applied().contains(marker), () -> marker + " not delivered");
                }
            }
            Effects effects = Effects.of(keys, target);
            assertEquals(List.of(), effects.lost(), effects::toString);
            assertEquals(List.of(), effects.duplicateEffects(), () -> "keys delivered as two messages: " + effects);
            for (String key : keys) {
                assertEquals(Set.of(ids.get(key)), target.messageIds(key), () -> key + " delivered as the message it was accepted as");
            }
        }
    }

    private static int countSnapshots(String jdbcUrl) throws Exception {
        // Snapshots are written asynchronously after the event that triggers them.
        Thread.sleep(500);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl, "", "");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM \"snapshot\"")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
