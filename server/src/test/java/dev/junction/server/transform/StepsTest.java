package dev.junction.server.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Partitioning;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every step kind through a running server: validate (a failure names the JSON pointer), filter (ends filtered with its rule),
 * split (each element a message of its own with a derived, stable key, delivered once even when the order is posted again),
 * map, and routing with per-target outcomes; each message's lineage shows what every step made of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StepsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private RecordingTarget erp;
    private RecordingTarget crm;
    private RunningServer server;

    @BeforeAll
    void start() throws Exception {
        erp = new RecordingTarget();
        crm = new RecordingTarget();
        Path config = TestConfig.write(dir, """
            junction {
              http.port = 0
              node.port = 0
              inbox.partitions = 4
              systems {
                webshop { connector = http }
                erp { connector = http, base-url = "%s" }
                crm { connector = http, base-url = "%s" }
              }
              integrations {
                order-lines {
                  source { system = webshop, webhook { path = "webshop/lines" } }
                  steps = [
                    { validate { schema = "schemas/webshop-order.schema.json" } }
                    { filter { when = ".currency != \\"XXX\\"" } }
                    { split { items = ".lines", key = ".sku" } }
                    { map { mapping = "mappings/line.jslt", version = 3 } }
                  ]
                  targets = [ { system = erp, http { method = POST, path = "/lines" } } ]
                }
                stamped {
                  source { system = webshop, webhook { path = "webshop/stamped" } }
                  steps = [ { map { mapping = "mappings/stamp.jslt", version = 1 } } ]
                  targets = [ { system = erp, http { method = POST, path = "/stamped" } } ]
                }
                orders {
                  source { system = webshop, webhook { path = "webshop/orders" } }
                  steps = [ { map { mapping = "mappings/order-to-erp.jslt", version = 1 } } ]
                  targets = [
                    { system = erp, when = ".currency == \\"EUR\\"", http { method = POST, path = "/orders" } }
                    { system = crm, http { method = POST, path = "/orders" } }
                  ]
                }
              }
            }
            """.formatted(erp.baseUrl(), crm.baseUrl()));
        Files.writeString(dir.resolve("mappings/line.jslt"), """
            { "article": .sku, "quantity": .qty, "amount": .qty * .price }
            """);
        Files.writeString(dir.resolve("mappings/stamp.jslt"), """
            { "order": .id, "stampedAt": now() }
            """);
        server = RunningServer.start(config, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        erp.close();
        crm.close();
    }

    @Test
    void splitMakesOneMessagePerElementWithADerivedKeyDeliveredOnceEvenWhenPostedAgain() throws Exception {
        String order = """
            {"id":"SO-7","currency":"EUR","customer":{"email":"ada@example.com"},
             "lines":[{"sku":"LAMP-01","qty":2,"price":19.5},{"sku":"BULB-E27","qty":4,"price":3.25},{"sku":"CABLE","qty":1,"price":5}]}""";
        String parentId = accepted(post("/webhooks/webshop/lines", "lines-SO-7", order));
        Set<String> keys = Set.of("lines-SO-7/LAMP-01", "lines-SO-7/BULB-E27", "lines-SO-7/CABLE");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().containsAll(keys), () -> "applied: " + erp.applied());
        assertEquals(JSON.readTree("{\"article\":\"BULB-E27\",\"quantity\":4,\"amount\":13.0}"),
                JSON.readTree(erp.bodies("lines-SO-7/BULB-E27").iterator().next()));

        JsonNode parent = lineage(parentId);
        assertEquals("split", parent.get("status").asText(), parent::toString);
        JsonNode children = parent.get("deliveries").get(0).get("children");
        assertEquals(3, children.size(), parent::toString);
        JsonNode child = lineage(children.get(1).asText());
        assertEquals(parentId, child.get("parentId").asText());
        assertEquals("delivered", child.get("status").asText(), child::toString);
        assertTrue(keys.contains(child.get("idempotencyKey").asText()), child::toString);
        JsonNode map = child.get("deliveries").get(0).get("steps").get(0);
        assertEquals(3, map.get("index").asInt(), "an element goes on from the step after the split");
        assertEquals("line.jslt@v3", map.get("version").asText());
        assertTrue(map.get("output").has("amount"), map::toString);

        // The web shop posts the same order under another key: the derived keys differ, so its lines are new messages;
        // posted again under the same key it is a duplicate, and a redelivered split would find its elements as duplicates.
        HttpResponse<String> again = server.post("/webhooks/webshop/lines", "lines-SO-7", order);
        assertEquals(200, again.statusCode(), again::body);
        // The same order under another key, in the partition of the first: once its lines are delivered, a split the
        // duplicate had caused would have been delivered before them.
        String other = Partitioning.markerBeside("lines-SO-7", 4, "lines-SO-7-again");
        accepted(post("/webhooks/webshop/lines", other, order));
        Set<String> otherKeys = Set.of(other + "/LAMP-01", other + "/BULB-E27", other + "/CABLE");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().containsAll(otherKeys), () -> "applied: " + erp.applied());
        for (String key : keys) {
            assertEquals(1, erp.requests(key), key);
        }
    }

    @Test
    void twoElementsWithTheSameKeyAreRefusedRatherThanOneSilentlyDropped() throws Exception {
        String order = """
            {"id":"SO-8","customer":{"email":"ada@example.com"},
             "lines":[{"sku":"LAMP-01","qty":2,"price":19.5},{"sku":"LAMP-01","qty":1,"price":19.5}]}""";
        String id = accepted(post("/webhooks/webshop/lines", "lines-SO-8", order));
        JsonNode letter = deadLetter(id);
        JsonNode target = letter.get("targets").get(0);
        assertEquals("split", target.get("errorClass").asText());
        assertTrue(target.get("detail").asText().contains("elements /0 and /1 have the same key 'LAMP-01'"), target::toString);
    }

    @Test
    void aValidationFailureNamesTheFieldAndIsDeadLetteredWithoutAnAttempt() throws Exception {
        String order = """
            {"id":"SO-9","customer":{"name":"no email"},"lines":[{"sku":"LAMP-01","qty":0,"price":19.5}]}""";
        String id = accepted(post("/webhooks/webshop/lines", "lines-SO-9", order));
        JsonNode target = deadLetter(id).get("targets").get(0);
        assertEquals("validation", target.get("errorClass").asText());
        String detail = target.get("detail").asText();
        assertTrue(detail.startsWith("validate(webshop-order.schema.json): "), detail);
        assertTrue(detail.contains("/customer/email: required property 'email' not found"), detail);
        assertTrue(detail.contains("/lines/0/qty: must have a minimum value of 1"), detail);
        assertEquals(0, target.get("attempts").asInt());
        assertEquals(0, erp.requests("lines-SO-9"));
        assertEquals("dead-lettered", lineage(id).get("status").asText());
    }

    @Test
    void aFilteredMessageEndsFilteredWithTheRuleThatFilteredIt() throws Exception {
        String order = """
            {"id":"SO-10","currency":"XXX","customer":{"email":"ada@example.com"},"lines":[{"sku":"LAMP-01","qty":1,"price":1}]}""";
        String id = accepted(post("/webhooks/webshop/lines", "lines-SO-10", order));
        Await.until(Duration.ofSeconds(10), () -> status(id).equals("filtered"), () -> "status " + status(id));
        JsonNode target = lineage(id).get("deliveries").get(0).get("targets").get(0);
        assertEquals("filtered", target.get("status").asText());
        assertEquals("filter(.currency != \"XXX\")", target.get("detail").asText());
        assertEquals(0, erp.totalRequestsFor("lines-SO-10/"));
    }

    @Test
    void eachTargetOfAFanOutHasItsOwnOutcome() throws Exception {
        String eur = accepted(post("/webhooks/webshop/orders", "order-EUR", TestConfig.order("SO-11")));
        String usd = accepted(post("/webhooks/webshop/orders", "order-USD", TestConfig.order("SO-12").replace("EUR", "USD")));
        Await.until(Duration.ofSeconds(20), () -> crm.applied().containsAll(Set.of("order-EUR", "order-USD"))
                && erp.applied().contains("order-EUR") && !status(usd).equals("pending"), () -> "crm " + crm.applied());
        assertEquals(0, erp.requests("order-USD"), "the ERP's when predicate leaves USD orders out");
        JsonNode usdLineage = lineage(usd);
        assertEquals(Map.of("erp", "filtered", "crm", "delivered"), JSON.convertValue(usdLineage.get("targets"), Map.class));
        assertEquals("delivered", usdLineage.get("status").asText());
        JsonNode erpOutcome = usdLineage.get("deliveries").get(0).get("targets").get(0);
        assertEquals("when(.currency == \"EUR\")", erpOutcome.get("detail").asText());
        assertEquals(Map.of("erp", "delivered", "crm", "delivered"), JSON.convertValue(lineage(eur).get("targets"), Map.class));
    }

    @Test
    void lineageIsFoundByIntegrationAndKeyWithTheRawOriginalAndEveryAttempt() throws Exception {
        String id = server.postAccepted("/webhooks/webshop/orders", "order-lineage", TestConfig.order("SO-13"));
        Await.until(Duration.ofSeconds(20), () -> status(id).equals("delivered"), () -> "status " + status(id));
        HttpResponse<String> response = server.get("/api/v1/messages?integration=orders&key=order-lineage");
        assertEquals(200, response.statusCode(), response::body);
        JsonNode lineage = JSON.readTree(response.body());
        assertEquals(id, lineage.get("messageId").asText());
        assertEquals(JSON.readTree(TestConfig.order("SO-13")), JSON.readTree(lineage.get("raw").asText()));
        assertEquals("application/json", lineage.get("contentType").asText());
        assertEquals(12, lineage.get("revision").asText().length());
        JsonNode delivery = lineage.get("deliveries").get(0);
        assertEquals("SO-13", delivery.get("steps").get(0).get("output").get("orderNumber").asText());
        assertTrue(delivery.get("steps").get(0).get("outputRecomputed").asBoolean(),
                "a deterministic mapping's output is computed again from the raw original, not stored with every message");
        JsonNode attempt = delivery.get("targets").get(1).get("history").get(0);
        assertEquals("delivered", attempt.get("result").asText());
        assertEquals(1, attempt.get("number").asInt());

        HttpResponse<String> missing = server.get("/api/v1/messages?integration=orders&key=nope");
        assertEquals(404, missing.statusCode());
        assertEquals("application/problem+json", missing.headers().firstValue("Content-Type").orElse(""));
        assertEquals(404, server.get("/api/v1/messages?integration=nope&key=x").statusCode());
        assertEquals(400, server.get("/api/v1/messages?key=x").statusCode());
        assertEquals(404, server.get("/api/v1/messages/0193aaaa-0000-7000-8000-000000000000").statusCode());
    }

    @Test
    void theOutputOfAMappingThatIsNotDeterministicIsRecordedAsItWasSent() throws Exception {
        String id = accepted(post("/webhooks/webshop/stamped", "stamp-1", TestConfig.order("SO-14")));
        Await.until(Duration.ofSeconds(20), () -> status(id).equals("delivered"), () -> "status " + status(id));
        JsonNode step = lineage(id).get("deliveries").get(0).get("steps").get(0);
        assertEquals(false, step.get("outputRecomputed").asBoolean(true), step::toString);
        assertEquals(JSON.readTree(erp.lastBody("stamp-1")), step.get("output"), "what was sent, not a new now()");
    }

    /** The message's status; a failed request fails the test rather than read as a status that keeps a wait going. */
    private String status(String id) {
        try {
            return lineage(id).get("status").asText();
        } catch (Exception e) {
            throw new IllegalStateException("no status for " + id, e);
        }
    }

    private JsonNode lineage(String id) throws Exception {
        HttpResponse<String> response = server.get("/api/v1/messages/" + id);
        assertEquals(200, response.statusCode(), response::body);
        return JSON.readTree(response.body());
    }

    private JsonNode deadLetter(String id) throws Exception {
        Await.until(Duration.ofSeconds(10), () -> {
            try {
                return server.get("/api/v1/dead-letters/" + id).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, () -> "no dead letter " + id);
        return JSON.readTree(server.get("/api/v1/dead-letters/" + id).body());
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        return server.postUntilAnswered(path, key, body);
    }

    private static String accepted(HttpResponse<String> response) throws Exception {
        assertEquals(202, response.statusCode(), response::body);
        return JSON.readTree(response.body()).get("messageId").asText();
    }
}
