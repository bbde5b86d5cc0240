package dev.junction.connectors.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.http.HttpIngressRequest;
import dev.junction.connectors.api.http.HttpReply;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.testkit.MemoryPositions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WebhookIngressTest {
    private final MemoryIngestor inbox = new MemoryIngestor();
    private final WebhookIngress ingress = ingress("path = webshop/orders", inbox);

    @Test
    void acceptedMessageIsAnswered202WithItsIdAndTheKeyEchoed() {
        HttpReply reply = handle(ingress, post("{\"order\":{\"id\":42}}", "Idempotency-Key", "k-1",
                "User-Agent", "shop/1.0", "X-Request-Id", "r-9", "Authorization", "Bearer secret"));

        assertEquals(202, reply.status());
        assertEquals("application/json", reply.contentType());
        assertEquals("{\"messageId\":\"msg-1\",\"status\":\"accepted\"}", body(reply));
        assertEquals("k-1", reply.headers().get("Idempotency-Key"));
        InboundMessage message = inbox.received.get(0);
        assertEquals("k-1", message.idempotencyKey());
        assertEquals("application/json; charset=utf-8", message.contentType());
        assertEquals(42, message.json().at("/order/id").asInt());
        assertEquals("{\"order\":{\"id\":42}}", new String(message.raw(), StandardCharsets.UTF_8));
        assertEquals(Map.of("content-type", "application/json; charset=utf-8", "user-agent", "shop/1.0", "x-request-id", "r-9"),
                message.headers());
    }

    @Test
    void duplicateIsAnswered200WithTheOriginalIdAndReplayedHeader() {
        handle(ingress, post("{\"a\":1}", "Idempotency-Key", "k-1"));
        HttpReply reply = handle(ingress, post("{\"a\":1}", "Idempotency-Key", "k-1"));

        assertEquals(200, reply.status());
        assertEquals("{\"messageId\":\"msg-1\",\"status\":\"duplicate\"}", body(reply));
        assertEquals("true", reply.headers().get("Idempotent-Replayed"));
        assertEquals("k-1", reply.headers().get("Idempotency-Key"));
    }

    @Test
    void keyReusedWithAnotherBodyIsA409NamingTheOriginal() {
        handle(ingress, post("{\"a\":1}", "Idempotency-Key", "k-1"));
        HttpReply reply = handle(ingress, post("{\"a\":2}", "Idempotency-Key", "k-1"));

        JsonNode problem = problem(reply, 409);
        assertTrue(problem.get("detail").asText().contains("msg-1"), problem.toString());
        assertEquals("k-1", reply.headers().get("Idempotency-Key"));
    }

    @Test
    void unavailableInboxIsA503WithRetryAfterInWholeSecondsAtLeastOne() {
        inbox.mode = MemoryIngestor.Mode.UNAVAILABLE;
        HttpReply reply = handle(ingress, post("{}", "Idempotency-Key", "k-1"));
        problem(reply, 503);
        assertEquals("2", reply.headers().get("Retry-After")); // 1.5s rounded up
        assertEquals("k-1", reply.headers().get("Idempotency-Key"));

        inbox.retryAfter = Duration.ZERO;
        assertEquals("1", handle(ingress, post("{}", "Idempotency-Key", "k-2")).headers().get("Retry-After"));
        inbox.retryAfter = null;
        assertEquals("1", handle(ingress, post("{}", "Idempotency-Key", "k-3")).headers().get("Retry-After"));
    }

    @Test
    void failingIngestIsA503WithoutInternals() {
        inbox.mode = MemoryIngestor.Mode.FAILING;
        HttpReply reply = handle(ingress, post("{}", "Idempotency-Key", "k-1"));

        JsonNode problem = problem(reply, 503);
        assertFalse(problem.toString().contains("Boom"), problem.toString());
        assertEquals("1", reply.headers().get("Retry-After"));
    }

    @Test
    void otherMethodsAre405WithAllow() {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            HttpReply reply = handle(ingress, new HttpIngressRequest(method, "webshop/orders", "application/json", Map.of(), new byte[0]));
            problem(reply, 405);
            assertEquals("POST", reply.headers().get("Allow"));
        }
        assertTrue(inbox.received.isEmpty());
    }

    @Test
    void bodiesThatAreNotJsonMediaTypesAre415() {
        for (String type : List.of("text/plain", "", "application/xml", "application/+json", "text/json")) {
            HttpReply reply = handle(ingress, request(type, "{}", "Idempotency-Key", "k"));
            JsonNode problem = problem(reply, 415);
            assertTrue(problem.get("detail").asText().contains("application/json"), problem.toString());
        }
        assertEquals(202, handle(ingress, request("application/vnd.shop.order+json", "{}", "Idempotency-Key", "k1")).status());
        assertEquals(202, handle(ingress, request("Application/JSON", "{}", "Idempotency-Key", "k2")).status());
    }

    @Test
    void invalidJsonIs400NamingLineAndColumnWithoutInternals() {
        JsonNode problem = problem(handle(ingress, post("{\n  \"a\": tru\n}", "Idempotency-Key", "k")), 400);
        String detail = problem.get("detail").asText();
        assertTrue(detail.contains("line 2, column"), detail);
        assertClean(detail);

        for (String broken : List.of("{\"a\":1", "{\"a\":1} {}", "{\"a\":1} x", "[1,]", "[".repeat(1500))) {
            String text = problem(handle(ingress, post(broken, "Idempotency-Key", "k")), 400).get("detail").asText();
            assertTrue(text.startsWith("the request body is not valid JSON"), text);
            assertClean(text);
        }
        assertTrue(inbox.received.isEmpty());
    }

    @Test
    void emptyOrBlankBodyIs400() {
        assertTrue(problem(handle(ingress, post("", "Idempotency-Key", "k")), 400).get("detail").asText().contains("empty"));
        assertTrue(problem(handle(ingress, post(" \n ", "Idempotency-Key", "k")), 400).get("detail").asText().contains("whitespace"));
    }

    @Test
    void headerKeyThatIsMissingBlankOrTooLongIs400NamingTheHeader() {
        String missing = problem(handle(ingress, post("{}")), 400).get("detail").asText();
        assertTrue(missing.contains("Idempotency-Key header"), missing);
        String blank = problem(handle(ingress, post("{}", "Idempotency-Key", "  ")), 400).get("detail").asText();
        assertTrue(blank.contains("blank"), blank);
        String tooLong = problem(handle(ingress, post("{}", "Idempotency-Key", "k".repeat(256))), 400).get("detail").asText();
        assertTrue(tooLong.contains("256") && tooLong.contains("255"), tooLong);
        assertEquals(202, handle(ingress, post("{}", "Idempotency-Key", "k".repeat(255))).status());
        assertEquals(400, handle(ingress, post("{}", "Idempotency-Key", "k\u00e9")).status());
    }

    @Test
    void jsonPointerKeyTakesStringsAndNumbersAndNamesThePointerOtherwise() {
        WebhookIngress byBody = ingress("path = shop, idempotency-key = \"json:/order/id\"", inbox);

        assertEquals(202, handle(byBody, post("{\"order\":{\"id\":\"A-1\"}}")).status());
        assertEquals(202, handle(byBody, post("{\"order\":{\"id\":17}}")).status());
        assertEquals(List.of("A-1", "17"), inbox.received.stream().map(InboundMessage::idempotencyKey).toList());
        for (String body : List.of("{\"order\":{}}", "{\"order\":{\"id\":null}}", "{\"order\":{\"id\":{\"x\":1}}}", "{\"order\":{\"id\":true}}", "[]")) {
            String detail = problem(handle(byBody, post(body)), 400).get("detail").asText();
            assertTrue(detail.contains("JSON pointer /order/id"), detail);
        }
        assertEquals(400, handle(byBody, post("{\"order\":{\"id\":\"\"}}")).status());
    }

    @Test
    void bodyOverTheLimitIs413() {
        WebhookIngress small = ingress("path = shop, max-body-size = 8", inbox);
        assertEquals(8, small.maxBodyBytes());
        problem(handle(small, post("{\"a\":\"123456\"}", "Idempotency-Key", "k")), 413);
    }

    @Test
    void stopRefusesNewRequestsAndCompletesWhenInFlightOnesSettle() throws Exception {
        var held = new dev.junction.connectors.testkit.TestIngestor();
        held.hold();
        WebhookIngress slow = ingress("path = shop", held);
        var first = slow.handle(post("{}", "Idempotency-Key", "k-1")).toCompletableFuture();

        var stopped = slow.stop().toCompletableFuture();
        assertFalse(stopped.isDone());
        problem(handle(slow, post("{}", "Idempotency-Key", "k-2")), 503);

        held.release();
        assertEquals(202, first.get(5, TimeUnit.SECONDS).status());
        stopped.get(5, TimeUnit.SECONDS);
    }

    // --- helpers

    static WebhookIngress ingress(String hocon, dev.junction.connectors.api.Ingestor ingestor) {
        WebhookSourceFactory factory = new WebhookSourceFactory();
        Config block = ConfigFactory.parseString(hocon);
        assertEquals(List.of(), factory.spec().validate(block, "webhook", Set.of()));
        SourceContext context = new SourceContext("orders", "webshop", ConfigFactory.empty(), factory.spec().withDefaults(block),
                Path.of("."), ingestor, new MemoryPositions(), dev.junction.connectors.api.SourceStatus.ignored(),
                dev.junction.connectors.api.SystemCalls.DIRECT, dev.junction.connectors.api.RunRecorder.NONE, null, Runnable::run);
        return (WebhookIngress) factory.create(context);
    }

    static HttpIngressRequest post(String body, String... headers) {
        return request("application/json", body, headers);
    }

    static HttpIngressRequest request(String contentType, String body, String... headers) {
        Map<String, String> map = new HashMap<>();
        if (!contentType.isEmpty()) {
            map.put("content-type", contentType.equals("application/json") ? "application/json; charset=utf-8" : contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i].toLowerCase(java.util.Locale.ROOT), headers[i + 1]);
        }
        return new HttpIngressRequest("POST", "webshop/orders", contentType, map, body.getBytes(StandardCharsets.UTF_8));
    }

    static HttpReply handle(WebhookIngress ingress, HttpIngressRequest request) {
        try {
            return ingress.handle(request).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("handle must always answer", e);
        }
    }

    static String body(HttpReply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    static JsonNode problem(HttpReply reply, int status) {
        assertEquals(status, reply.status(), () -> body(reply));
        assertEquals(HttpReply.PROBLEM_JSON, reply.contentType());
        try {
            JsonNode problem = JsonBodies.MAPPER.readTree(reply.body());
            assertEquals(status, problem.get("status").asInt());
            assertTrue(problem.get("type").asText().startsWith("https://junction.dev/problems/"));
            assertFalse(problem.get("detail").asText().isBlank());
            return problem;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertClean(String detail) {
        for (String internal : List.of("com.fasterxml", "Source:", "StreamRead", "Exception", "`", "\tat ")) {
            assertFalse(detail.contains(internal), detail);
        }
    }
}
