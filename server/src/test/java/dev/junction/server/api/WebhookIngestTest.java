package dev.junction.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Partitioning;
import dev.junction.server.testing.Outcomes;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The webhook contract end to end, in process: acceptance, deduplication, every bad input, and delivery to a real HTTP target. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookIngestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/webhooks/webshop/orders";

    @TempDir
    static Path dir;
    private RecordingTarget target;
    private RunningServer server;

    @BeforeAll
    void start() throws Exception {
        target = new RecordingTarget().respondWith((key, n) -> {
            if (key.startsWith("flaky-")) {
                return n <= 2 ? 503 : 201;
            }
            if (key.startsWith("rejected-")) {
                return 422;
            }
            if (key.startsWith("down-")) {
                return 503;
            }
            return 200;
        });
        Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
                "resilience.retry { max-attempts = 3, min-backoff = 20ms, max-backoff = 100ms }"));
        server = RunningServer.start(config, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        target.close();
    }

    @Test
    void acceptsAfterCommitAndDeliversTheMappedMessageWithTheSameKey() throws Exception {
        HttpResponse<String> response = server.post(PATH, "order-1", TestConfig.order("SO-1"));

        assertEquals(202, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("accepted", body.get("status").asText());
        assertNotNull(body.get("messageId").asText());
        assertEquals("order-1", response.headers().firstValue("Idempotency-Key").orElse(""));
        Await.until(Duration.ofSeconds(10), () -> target.applied().contains("order-1"), () -> "order-1 not delivered");
        JsonNode delivered = JSON.readTree(target.bodies("order-1").iterator().next());
        assertEquals("SO-1", delivered.get("orderNumber").asText());
        assertEquals(39.0, delivered.get("total").asDouble());
    }

    @Test
    void answersADuplicateWithTheOriginalIdAndDoesNotDeliverItAgain() throws Exception {
        HttpResponse<String> first = server.post(PATH, "order-2", TestConfig.order("SO-2"));
        HttpResponse<String> second = server.post(PATH, "order-2", TestConfig.order("SO-2"));

        assertEquals(202, first.statusCode());
        assertEquals(200, second.statusCode(), second.body());
        assertEquals("duplicate", JSON.readTree(second.body()).get("status").asText());
        assertEquals(JSON.readTree(first.body()).get("messageId"), JSON.readTree(second.body()).get("messageId"));
        assertEquals("true", second.headers().firstValue("Idempotent-Replayed").orElse(""));
        Await.until(Duration.ofSeconds(10), () -> target.applied().contains("order-2"), () -> "order-2 not delivered");
        // A marker accepted after the duplicate in order-2's partition: once it is delivered, a second delivery of order-2
        // would have come before it.
        String marker = Partitioning.markerBeside("order-2", 16, "after-order-2");
        assertEquals(202, server.post(PATH, marker, TestConfig.order("SO-" + marker)).statusCode());
        Await.until(Duration.ofSeconds(10), () -> target.applied().contains(marker), () -> marker + " not delivered");
        assertEquals(1, target.requests("order-2"));
    }

    @Test
    void refusesTheSameKeyWithAnotherBody() throws Exception {
        assertEquals(202, server.post(PATH, "order-3", TestConfig.order("SO-3")).statusCode());
        HttpResponse<String> conflict = server.post(PATH, "order-3", TestConfig.order("SO-3-changed"));

        assertProblem(conflict, 409);
    }

    @Test
    void refusesMalformedJsonAndStoresNothing() throws Exception {
        assertProblem(server.post(PATH, "order-4", "{\"id\": \"SO-4\", "), 400);
        // Nothing was persisted under the key: the corrected message is new, not a duplicate or a conflict.
        assertEquals(202, server.post(PATH, "order-4", TestConfig.order("SO-4")).statusCode());
    }

    @Test
    void refusesAnotherMediaType() throws Exception {
        assertProblem(server.post(PATH, "order-5", "text/plain", TestConfig.order("SO-5")), 415);
        assertEquals(202, server.post(PATH, "order-5", TestConfig.order("SO-5")).statusCode());
    }

    @Test
    void refusesABodyOverTheLimit() throws Exception {
        String big = "{\"id\":\"SO-6\",\"padding\":\"" + "x".repeat(100_000) + "\"}";
        assertProblem(server.post(PATH, "order-6", big), 413);
        assertEquals(202, server.post(PATH, "order-6", TestConfig.order("SO-6")).statusCode());
    }

    @Test
    void refusesAMessageWithoutKey() throws Exception {
        assertProblem(server.post(PATH, null, TestConfig.order("SO-7")), 400);
    }

    @Test
    void answersAnUnknownPathWithNotFound() throws Exception {
        assertProblem(server.post("/webhooks/nobody/listens", "order-8", TestConfig.order("SO-8")), 404);
    }

    @Test
    void retriesTransientFailuresWithTheSameKeyAndBody() throws Exception {
        String id = acceptedId(server.post(PATH, "flaky-1", TestConfig.order("SO-9")));

        Await.until(Duration.ofSeconds(10), () -> target.applied().contains("flaky-1"), () -> "flaky-1 not delivered");
        assertEquals(3, target.requests("flaky-1"));
        assertEquals(1, target.bodies("flaky-1").size(), "every attempt carries the same message");
        Settlement settlement = settlementOf(id);
        assertEquals(Settlement.Status.DELIVERED, settlement.targets().get(0).status());
        assertEquals(3, settlement.targets().get(0).attempts());
    }

    @Test
    void deadLettersAPermanentRejectionAfterOneAttempt() throws Exception {
        String id = acceptedId(server.post(PATH, "rejected-1", TestConfig.order("SO-10")));

        Settlement.TargetOutcome outcome = settlementOf(id).targets().get(0);
        assertEquals(Settlement.Status.DEAD_LETTERED, outcome.status());
        assertEquals(1, outcome.attempts());
        assertEquals("http-422", outcome.errorClass());
        assertEquals(1, target.requests("rejected-1"));
    }

    @Test
    void deadLettersAfterTheRetryBudget() throws Exception {
        String id = acceptedId(server.post(PATH, "down-1", TestConfig.order("SO-11")));

        Settlement.TargetOutcome outcome = settlementOf(id).targets().get(0);
        assertEquals(Settlement.Status.DEAD_LETTERED, outcome.status());
        assertEquals(3, outcome.attempts());
        assertEquals("http-503", outcome.errorClass());
        assertEquals(3, target.requests("down-1"));
    }

    @Test
    void deadLettersAMessageThatFailsValidationNamingTheField() throws Exception {
        String noEmail = "{\"id\":\"SO-12\",\"customer\":{\"name\":\"Ada\"},\"lines\":[{\"sku\":\"A\",\"qty\":1,\"price\":1}]}";
        String id = acceptedId(server.post(PATH, "invalid-1", noEmail));

        Settlement.TargetOutcome outcome = settlementOf(id).targets().get(0);
        assertEquals(Settlement.Status.DEAD_LETTERED, outcome.status());
        assertEquals("validation", outcome.errorClass());
        assertTrue(outcome.detail().contains("/customer/email: required property"), outcome.detail());
        assertEquals(0, target.requests("invalid-1"));
    }

    private Settlement settlementOf(String messageId) {
        return Outcomes.await(server.junction().system(), "orders-to-erp", server.settings.inbox().partitions(), messageId);
    }

    private static String acceptedId(HttpResponse<String> response) throws Exception {
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("messageId").asText();
    }

    private static void assertProblem(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        JsonNode problem = JSON.readTree(response.body());
        assertEquals(status, problem.get("status").asInt());
        assertTrue(problem.hasNonNull("title") && problem.hasNonNull("detail"), response.body());
        assertTrue(!response.body().contains("Exception") && !response.body().contains("at dev."), "no stack trace: " + response.body());
    }
}
