package dev.junction.server.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A webhook's W3C traceparent stays with the message: every attempt at the target carries the same trace (a span of its own),
 * the lineage shows the trace id, one is started when the sender sent none, and the log line of a failing message carries its
 * id and trace id (as JSON fields with the JSON encoder).
 */
class TraceTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theTraceFollowsTheMessageToEveryAttemptTheLineageAndTheLogs() throws Exception {
        Logger deliveryLog = (Logger) LoggerFactory.getLogger("dev.junction.server.delivery.IntegrationDelivery");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        deliveryLog.addAppender(lines);
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> key.equals("bad") ? 400 : n <= 2 ? 503 : 200)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(),
                    "resilience { retry { max-attempts = 5, min-backoff = 50ms, max-backoff = 100ms } }"));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                String ok = send(server, "ok", "00-" + TRACE + "-00f067aa0ba902b7-01");
                String bad = send(server, "bad", "00-" + TRACE.replace('4', '5') + "-00f067aa0ba902b7-01");
                String none = send(server, "untraced", null);
                Await.until(Duration.ofSeconds(20), () -> erp.successes("ok") == 1 && erp.successes("untraced") == 1 && erp.requests("bad") == 1,
                        () -> "not delivered yet");

                List<String> attempts = erp.traceparents("ok");
                assertEquals(3, attempts.size(), attempts.toString());
                for (String t : attempts) {
                    assertTrue(t.matches("00-" + TRACE + "-[0-9a-f]{16}-01"), t);
                    assertTrue(!t.contains("00f067aa0ba902b7"), "each attempt is a span of its own: " + t);
                }
                assertEquals(3, new HashSet<>(attempts).size(), "three spans: " + attempts);
                assertEquals(TRACE, lineage(server, ok).get("traceId").asText());

                String started = lineage(server, none).get("traceId").asText();
                assertTrue(started.matches("[0-9a-f]{32}"), started);
                assertTrue(erp.traceparents("untraced").get(0).startsWith("00-" + started + "-"), erp.traceparents("untraced").toString());

                Await.until(Duration.ofSeconds(10), () -> lines.list.stream().anyMatch(e -> bad.equals(e.getMDCPropertyMap().get("messageId"))),
                        () -> "no log line of the failing message: " + lines.list);
                ILoggingEvent line = lines.list.stream().filter(e -> bad.equals(e.getMDCPropertyMap().get("messageId"))).findFirst().orElseThrow();
                assertEquals(TRACE.replace('4', '5'), line.getMDCPropertyMap().get("traceId"));
                assertEquals("orders-to-erp", line.getMDCPropertyMap().get("integration"));
                assertEquals("bad", line.getMDCPropertyMap().get("idempotencyKey"));
                LogstashEncoder encoder = new LogstashEncoder();
                encoder.start();
                JsonNode json = JSON.readTree(new String(encoder.encode(line), StandardCharsets.UTF_8));
                assertEquals(bad, json.get("messageId").asText());
                assertEquals(TRACE.replace('4', '5'), json.get("traceId").asText());
                assertNotEquals(ok, bad);
            }
        } finally {
            deliveryLog.detachAppender(lines);
        }
    }

    private static String send(RunningServer server, String key, String traceparent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url("/webhooks/webshop/orders")))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(TestConfig.order("SO-" + key)));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        HttpResponse<String> response = null;
        for (int i = 0; i < 15 && (response == null || response.statusCode() == 503); i++) {
            if (response != null) {
                Thread.sleep(1000);
            }
            response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        assertTrue(response.statusCode() == 202 || response.statusCode() == 200, response.body());
        return JSON.readTree(response.body()).get("messageId").asText();
    }

    private static JsonNode lineage(RunningServer server, String messageId) throws Exception {
        HttpResponse<String> response = server.get("/api/v1/messages/" + messageId);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}
