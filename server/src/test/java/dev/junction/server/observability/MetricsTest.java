package dev.junction.server.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.PrometheusText;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counters on {@code GET /metrics} move by exactly what was sent: 100 accepted, 10 duplicates, 5 dead-lettered. Names of
 * its own (Kamon is one per JVM, shared with the other tests of the run).
 */
class MetricsTest {
    private static final String I = "metrics-orders";
    private static final String SYSTEM = "metrics-erp";

    @TempDir
    Path dir;

    @Test
    void countersMoveByExactlyWhatWasSent() throws Exception {
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> key.startsWith("bad-") ? 400 : 200)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), "")
                    .replace("orders-to-erp", I).replace("erp {", SYSTEM + " {").replace("system = erp", "system = " + SYSTEM)
                    .replace("http.port = 0", "http.port = 0\n  inbox.accept-timeout = 10s"));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                for (int i = 1; i <= 100; i++) {
                    String key = (i <= 5 ? "bad-" : "ok-") + i;
                    assertEquals(202, server.post("/webhooks/webshop/orders", key, TestConfig.order("SO-" + i)).statusCode(), key);
                }
                for (int i = 1; i <= 10; i++) {
                    String key = (i <= 5 ? "bad-" : "ok-") + i;
                    assertEquals(200, server.post("/webhooks/webshop/orders", key, TestConfig.order("SO-" + i)).statusCode(), key);
                }
                Await.until(Duration.ofSeconds(30), () -> settled(scrape(server)) == 100, () -> "settled: " + settled(scrape(server)));
                Thread.sleep(2500); // one more tick: nothing moves past the exact figures
                PrometheusText m = scrape(server);
                assertEquals(100, m.valueOr0("junction_messages_received_total", "integration", I, "outcome", "accepted"));
                assertEquals(10, m.valueOr0("junction_messages_received_total", "integration", I, "outcome", "duplicate"));
                assertEquals(0, m.valueOr0("junction_messages_received_total", "integration", I, "outcome", "conflict"));
                assertEquals(95, m.valueOr0("junction_deliveries_total", "integration", I, "target", SYSTEM, "outcome", "delivered"));
                assertEquals(5, m.valueOr0("junction_deliveries_total", "integration", I, "target", SYSTEM, "outcome", "dead_lettered"));
                assertEquals(95, m.valueOr0("junction_delivery_attempts_total", "system", SYSTEM, "result", "ok"));
                assertEquals(110, m.valueOr0("junction_ingest_seconds_count", "integration", I));
                assertEquals(95, m.valueOr0("junction_end_to_end_seconds_count", "integration", I, "target", SYSTEM));
                assertEquals(5, m.valueOr0("junction_dead_letters", "integration", I));
                assertEquals(0, m.valueOr0("junction_inbox_pending", "integration", I));
                assertEquals(0, m.valueOr0("junction_circuit_breaker_state", "system", SYSTEM));
                Double lastReceived = m.value("junction_last_received_timestamp_seconds", "integration", I);
                assertNotNull(lastReceived);
                assertTrue(Math.abs(lastReceived - System.currentTimeMillis() / 1000.0) < 60, "last received " + lastReceived);
                assertNotNull(m.value("junction_last_delivered_timestamp_seconds", "integration", I, "target", SYSTEM));
                // No key and no message id is ever a label.
                for (PrometheusText.Sample s : m.samples()) {
                    assertTrue(s.labels().values().stream().noneMatch(v -> v.startsWith("ok-") || v.startsWith("bad-")), s.toString());
                }
            }
        }
    }

    private static double settled(PrometheusText m) {
        return m.valueOr0("junction_deliveries_total", "integration", I, "target", SYSTEM, "outcome", "delivered")
                + m.valueOr0("junction_deliveries_total", "integration", I, "target", SYSTEM, "outcome", "dead_lettered");
    }

    static PrometheusText scrape(RunningServer server) {
        try {
            var response = server.get("/metrics");
            assertEquals(200, response.statusCode());
            return new PrometheusText(response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
