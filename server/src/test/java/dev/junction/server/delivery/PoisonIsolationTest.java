package dev.junction.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A message that keeps failing does not hold up the other messages of its partition while it retries. */
class PoisonIsolationTest {
    @TempDir
    Path dir;

    @Test
    void othersInThePartitionAreDeliveredWhileOneKeepsFailing() throws Exception {
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> key.equals("poison") ? 500 : 200)) {
            // One partition, so every message shares the poison's; a budget it cannot spend during the test.
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), """
                    resilience { max-in-flight = 4, retry { max-attempts = 1000, min-backoff = 100ms, max-backoff = 500ms } }
                    """).replace("http.port = 0", "http.port = 0\n  inbox.partitions = 1"));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                assertEquals(202, server.post("/webhooks/webshop/orders", "poison", TestConfig.order("SO-0")).statusCode());
                Await.until(Duration.ofSeconds(10), () -> erp.requests("poison") >= 2, () -> "poison not retried yet");
                for (int i = 1; i <= 200; i++) {
                    assertEquals(202, server.post("/webhooks/webshop/orders", "order-" + i, TestConfig.order("SO-" + i)).statusCode());
                }
                Await.until(Duration.ofSeconds(20), () -> erp.applied().size() == 200, () -> erp.applied().size() + " of 200");
                assertTrue(erp.requests("poison") >= 3, "the poison kept being retried meanwhile");
                assertTrue(!erp.applied().contains("poison"));
            }
        }
    }
}
