package dev.junction.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A transient failure is retried up to max-attempts, or until max-age has passed; every attempt is recorded. */
class RetryBudgetTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aMessageThatKeepsFailingIsDeadLetteredAfterMaxAttemptsWithEveryAttempt() throws Exception {
        JsonNode letter = deadLetterOf("""
                resilience { circuit-breaker.enabled = false, retry { max-attempts = 3, min-backoff = 50ms, max-backoff = 100ms } }
                """);
        JsonNode target = letter.get("targets").get(0);
        assertEquals("http-500", target.get("errorClass").asText());
        assertEquals(3, target.get("attempts").asInt());
        assertEquals(3, target.get("history").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, target.get("history").get(i).get("number").asInt());
            assertEquals("http-500", target.get("history").get(i).get("errorClass").asText());
        }
    }

    @Test
    void aMessageOlderThanMaxAgeIsDeadLetteredWhateverItsAttemptsLeft() throws Exception {
        JsonNode letter = deadLetterOf("""
                resilience { circuit-breaker.enabled = false, retry { max-attempts = 1000, min-backoff = 100ms, max-backoff = 200ms, max-age = 1s } }
                """);
        JsonNode target = letter.get("targets").get(0);
        assertEquals("max-age", target.get("errorClass").asText());
        int attempts = target.get("attempts").asInt();
        assertEquals(attempts, target.get("history").size());
        assertEquals("http-500", target.get("history").get(attempts - 1).get("errorClass").asText());
    }

    private JsonNode deadLetterOf(String resilience) throws Exception {
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> 500)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), resilience));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                String id = server.postAccepted("/webhooks/webshop/orders", "k-1", TestConfig.order("SO-1"));
                JsonNode[] letter = new JsonNode[1];
                Await.until(Duration.ofSeconds(15), () -> {
                    try {
                        var response = server.get("/api/v1/dead-letters/" + id);
                        letter[0] = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
                        return letter[0] != null;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, () -> "not dead-lettered");
                return letter[0];
            }
        }
    }
}
