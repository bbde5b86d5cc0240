package dev.junction.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.BulkSender;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target refuses 1 % of the messages with 400: those are dead-lettered after exactly one attempt while every other message
 * is delivered on its first; operators list, inspect, replay in bulk and discard them through the admin API, and a replay
 * applies each effect exactly once. Each test starts from the same history on a server of its own, so none depends on what
 * another did to the dead letters.
 */
class DeadLetterQueueTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/webhooks/webshop/orders";
    private static final int MESSAGES = 500;

    @TempDir
    Path dir;
    private RecordingTarget erp;
    private RunningServer server;
    private volatile boolean fixed;
    private final Set<String> poison = new HashSet<>();
    private final Map<String, String> messageIds = new HashMap<>();

    @BeforeEach
    void start() throws Exception {
        IntStream.range(0, MESSAGES).filter(i -> i % 100 == 42).forEach(i -> poison.add("order-" + i));
        erp = new RecordingTarget().respondWith((key, n) -> poison.contains(key) && !fixed ? 400 : 200);
        Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), "")
                .replace("http.port = 0", "http.port = 0\n  inbox.partitions = 4"));
        server = RunningServer.start(config, dir.resolve("data"), Map.of());
        // The poison one by one, for their message ids; the rest 16 at a time, as each test sends all of them again.
        for (String key : poison) {
            HttpResponse<String> response = server.post(PATH, key, TestConfig.order("SO-" + key.substring(6)));
            assertEquals(202, response.statusCode(), response::body);
            messageIds.put(key, JSON.readTree(response.body()).get("messageId").asText());
        }
        List<String> healthy = IntStream.range(0, MESSAGES).mapToObj(i -> "order-" + i).filter(k -> !poison.contains(k)).toList();
        Map<String, Integer> answers = BulkSender.post(server.url(PATH), healthy, k -> TestConfig.order("SO-" + k.substring(6)), 16);
        // 202, or 200 for a retry that found the write committed after its 503 (a busy machine)
        assertTrue(answers.values().stream().allMatch(s -> s == 202 || s == 200), () -> "answers: " + BulkSender.count(answers));
        Await.until(Duration.ofSeconds(30), () -> erp.applied().size() == MESSAGES - poison.size() && deadLetterCount() == poison.size(),
                () -> erp.applied().size() + " applied, " + poison.size() + " poison");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        erp.close();
    }

    @Test
    void poisonIsDeadLetteredAfterOneAttemptAndTheRestIsDeliveredOnTheFirst() throws Exception {
        for (int i = 0; i < MESSAGES; i++) {
            String key = "order-" + i;
            assertEquals(1, erp.requests(key), () -> key + " requests");
        }
        JsonNode listing = deadLetters("?errorClass=http-400&integration=orders-to-erp");
        assertEquals(poison.size(), listing.get("matched").asInt());
        Set<String> listed = new HashSet<>();
        for (JsonNode entry : listing.get("items")) {
            listed.add(entry.get("idempotencyKey").asText());
            assertEquals(messageIds.get(entry.get("idempotencyKey").asText()), entry.get("messageId").asText());
            assertEquals(1, entry.get("attempts").asInt());
            assertEquals("erp", entry.get("system").asText());
        }
        assertEquals(poison, listed);
        assertEquals(0, deadLetters("?errorClass=http-503").get("matched").asInt());
        assertEquals(2, deadLetters("?limit=2").get("items").size());
    }

    @Test
    void oneDeadLetterShowsItsRawOriginalTransformedPayloadAndEveryAttempt() throws Exception {
        String key = poison.iterator().next();
        HttpResponse<String> response = server.get("/api/v1/dead-letters/" + messageIds.get(key));
        assertEquals(200, response.statusCode(), response::body);
        JsonNode letter = JSON.readTree(response.body());
        assertEquals(key, letter.get("idempotencyKey").asText());
        assertEquals("orders-to-erp", letter.get("integration").asText());
        assertEquals(JSON.readTree(TestConfig.order("SO-" + key.substring(6))), JSON.readTree(letter.get("raw").asText()));
        assertEquals("utf-8", letter.get("rawEncoding").asText());
        assertTrue(letter.get("transformed").isObject(), letter::toString);
        assertEquals("order-to-erp.jslt@v1", letter.get("mappingVersions").get(0).asText());
        JsonNode target = letter.get("targets").get(0);
        assertEquals("http-400", target.get("errorClass").asText());
        assertEquals(1, target.get("history").size());
        assertEquals("failed", target.get("history").get(0).get("result").asText());
        assertTrue(target.get("history").get(0).get("detail").asText().contains("400"), target::toString);
    }

    @Test
    void badRequestsAreAnsweredWithProblems() throws Exception {
        for (String query : List.of("?from=yesterday", "?limit=0", "?colour=red", "?integration=nope")) {
            HttpResponse<String> response = server.get("/api/v1/dead-letters" + query);
            assertTrue(response.statusCode() == 400 || response.statusCode() == 404, () -> query + ": " + response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), query);
            assertTrue(JSON.readTree(response.body()).get("detail").asText().length() > 5, response::body);
        }
        HttpResponse<String> missing = server.get("/api/v1/dead-letters/0190d3b8-0000-7000-8000-000000000000");
        assertEquals(404, missing.statusCode());
        HttpResponse<String> noReason = server.postJson("/api/v1/dead-letters/discard", "{\"errorClass\":\"http-400\"}");
        assertEquals(400, noReason.statusCode(), noReason::body);
        assertTrue(noReason.body().contains("reason"), noReason::body);
        HttpResponse<String> notJson = server.postJson("/api/v1/dead-letters/replay", "{oops");
        assertEquals(400, notJson.statusCode(), notJson::body);
        assertEquals(poison.size(), deadLetters("").get("matched").asInt(), "a refused request changes nothing");
    }

    @Test
    void discardRemovesOneDeadLetterAndRecordsWhoAndWhy() throws Exception {
        String key = poison.iterator().next();
        HttpResponse<String> response = server.postJson("/api/v1/dead-letters/" + messageIds.get(key) + "/discard",
                "{\"by\":\"ada\",\"reason\":\"customer cancelled the order\"}");
        assertEquals(200, response.statusCode(), response::body);
        assertEquals(1, JSON.readTree(response.body()).get("count").asInt());
        assertEquals(poison.size() - 1, deadLetters("").get("matched").asInt());
        JsonNode audit = JSON.readTree(server.get("/api/v1/dead-letters/audit").body()).get("items");
        assertEquals("discarded", audit.get(0).get("action").asText());
        assertEquals("loopback", audit.get(0).get("by").asText(), "no tokens: the caller is the loopback client, whatever the body says");
        assertEquals("customer cancelled the order", audit.get(0).get("reason").asText());
        assertEquals(key, audit.get(0).get("idempotencyKey").asText());
    }

    @Test
    void bulkReplayAfterTheTargetIsFixedDeliversEachExactlyOnce() throws Exception {
        fixed = true;
        HttpResponse<String> response = server.postJson("/api/v1/dead-letters/replay",
                "{\"integration\":\"orders-to-erp\",\"errorClass\":\"http-400\",\"by\":\"ops\",\"reason\":\"ERP accepts the new SKUs\"}");
        assertEquals(200, response.statusCode(), response::body);
        assertEquals(poison.size(), JSON.readTree(response.body()).get("count").asInt());
        Await.until(Duration.ofSeconds(15), () -> erp.applied().containsAll(poison), () -> "replayed keys not applied");
        Await.until(Duration.ofSeconds(15), () -> deadLetterCount() == 0, () -> "dead letters left");
        for (String key : poison) {
            assertEquals(1, erp.successes(key), () -> key + " applied more than once");
            assertEquals(2, erp.requests(key), () -> key + ": one refused attempt, one replayed");
            assertEquals(Set.of(messageIds.get(key)), erp.messageIds(key), () -> key + ": the replay sends the same message");
        }
        HttpResponse<String> again = server.postJson("/api/v1/dead-letters/replay", "{\"errorClass\":\"http-400\"}");
        assertEquals(0, JSON.readTree(again.body()).get("count").asInt(), "nothing is left to replay");
        JsonNode audit = JSON.readTree(server.get("/api/v1/dead-letters/audit?integration=orders-to-erp").body()).get("items");
        assertEquals(poison.size(), countAction(audit, "replayed"));
    }

    private static int countAction(JsonNode audit, String action) {
        int n = 0;
        for (JsonNode op : audit) {
            if (op.get("action").asText().equals(action)) {
                assertEquals("loopback", op.get("by").asText());
                n++;
            }
        }
        return n;
    }

    private int deadLetterCount() {
        try {
            return deadLetters("").get("matched").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode deadLetters(String query) throws Exception {
        HttpResponse<String> response = server.get("/api/v1/dead-letters" + query);
        assertEquals(200, response.statusCode(), response::body);
        return JSON.readTree(response.body());
    }
}
