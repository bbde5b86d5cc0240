package dev.junction.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Effects;
import dev.junction.server.testing.Outcomes;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canonical orders channel against the running server: the web shop publishes (mapped to the canonical model, validated
 * against the channel's schema), the ERP and the CRM subscribe, each with its own mapping and target. Each subscriber gets
 * every message once, in its own format; a subscriber whose target is down holds back only itself; a violation of the
 * channel's schema is dead-lettered at the publisher; a subscriber added by reload gets the messages published after it
 * appears and leaves the publisher's revision as it was; a subscriber refuses the versions it does not accept, visibly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChannelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PARTITIONS = 2;

    @TempDir
    static Path dir;
    private RecordingTarget erp;
    private RecordingTarget crm;
    private RecordingTarget warehouse;
    private volatile boolean crmDown;
    private RunningServer server;
    private Path config;

    @BeforeAll
    void start() throws Exception {
        erp = new RecordingTarget();
        crm = new RecordingTarget().respondWith((key, n) -> crmDown && key.contains("/down-") ? 503 : 200);
        warehouse = new RecordingTarget();
        OrderChannelExample.copyTo(dir);
        // Version 2 of the canonical order adds the sales channel; the marketplace publishes it, the CRM accepts only version 1.
        Files.writeString(dir.resolve("canonical/order.v2.schema.json"), Files.readString(dir.resolve("canonical/order.v1.schema.json"))
                .replace("\"required\": [\"orderId\",", "\"required\": [\"salesChannel\", \"orderId\",").replace("version 1", "version 2")
                .replace("order.v1.schema.json", "order.v2.schema.json"));
        Files.writeString(dir.resolve("mappings/marketplace-to-canonical.jslt"),
                "{ \"salesChannel\": \"marketplace\", \"orderId\": .id, \"currency\": \"EUR\", "
                        + "\"total\": sum([for (.lines) .qty * .price]), \"customer\": { \"email\": .customer.email, \"name\": .customer.name }, "
                        + "\"lines\": [for (.lines) { \"sku\": .sku, \"quantity\": .qty, \"unitPrice\": .price }] }");
        config = dir.resolve("junction.conf");
        Files.writeString(config, config(false));
        server = RunningServer.start(config, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        erp.close();
        crm.close();
        warehouse.close();
    }

    private String config(boolean withWarehouse) {
        String retry = "resilience { circuit-breaker.enabled = false, retry { max-attempts = 1000, min-backoff = 20ms, max-backoff = 200ms } }";
        return """
            junction {
              http.port = 0
              node.port = 0
              inbox.partitions = %d
              systems {
                webshop { connector = http }
                marketplace { connector = http }
                erp { connector = http, base-url = "%s", %s }
                crm { connector = http, base-url = "%s", %s }
                warehouse { connector = http, base-url = "%s", %s }
              }
              channels {
                orders { schema = "canonical/order.v2.schema.json", version = 2, earlier-versions { 1 = "canonical/order.v1.schema.json" } }
                %s
              }
              integrations {
                webshop-orders {
                  source { system = webshop, webhook { path = "webshop/orders" } }
                  steps = [
                    { validate { schema = "schemas/webshop-order.schema.json" } }
                    { map { mapping = "mappings/webshop-to-canonical.jslt", version = 1 } }
                  ]
                  targets = [ { channel = orders, version = 1 } ]
                }
                marketplace-orders {
                  source { system = marketplace, webhook { path = "marketplace/orders" } }
                  steps = [ { map { mapping = "mappings/marketplace-to-canonical.jslt", version = 1 } } ]
                  targets = [ { channel = orders } ]
                }
                orders-to-erp {
                  source { channel = orders }
                  steps = [ { map { mapping = "mappings/canonical-to-erp.jslt", version = 1 } } ]
                  targets = [ { system = erp, http { path = "/erp/sales-orders" } } ]
                }
                orders-to-crm {
                  source { channel = orders, versions = [1] }
                  steps = [ { map { mapping = "mappings/canonical-to-crm.jslt", version = 1 } } ]
                  targets = [ { system = crm, http { path = "/crm/activities" } } ]
                }
                %s
              }
            }
            """.formatted(PARTITIONS, erp.baseUrl(), retry, crm.baseUrl(), retry, warehouse.baseUrl(), retry,
                !withWarehouse ? "" : "returns { schema = \"canonical/order.v1.schema.json\" }", !withWarehouse ? "" : """
                orders-to-warehouse {
                  source { channel = orders }
                  targets = [ { system = warehouse, http { path = "/picks" } } ]
                }
                """);
    }

    @Test
    void eachSubscriberGetsEveryMessageOnceInItsOwnFormatAndTheLineageFollowsIt() throws Exception {
        List<String> keys = post("webshop", "many-", 200);
        List<String> erpKeys = derived("webshop-orders", keys);
        Effects.awaitDelivered(erp, erpKeys, WAIT);
        Effects.awaitDelivered(crm, erpKeys, WAIT);

        Effects atErp = Effects.of(erpKeys, erp);
        Effects atCrm = Effects.of(erpKeys, crm);
        System.out.println("channel fan-out: at the ERP " + atErp + "; at the CRM " + atCrm);
        assertTrue(atErp.lost().isEmpty() && atErp.duplicateEffects().isEmpty(), atErp::toString);
        assertTrue(atCrm.lost().isEmpty() && atCrm.duplicateEffects().isEmpty(), atCrm::toString);
        assertEquals(erpKeys.size(), erp.applied().stream().filter(k -> k.contains("/many-")).count(), "one effect per published order at the ERP");
        assertEquals(erpKeys.size(), crm.applied().stream().filter(k -> k.contains("/many-")).count(), "one effect per published order at the CRM");
        String key = erpKeys.get(7);
        JsonNode atErpBody = JSON.readTree(erp.lastBody(key));
        JsonNode atCrmBody = JSON.readTree(crm.lastBody(key));
        assertEquals("many-7", atErpBody.get("orderNumber").asText(), atErpBody::toString);
        assertEquals("many-7", atCrmBody.get("reference").asText(), atCrmBody::toString);
        assertEquals("ada@example.com", atCrmBody.at("/contact/email").asText(), atCrmBody::toString);

        // Lineage: the publisher's message lists each subscriber's copy as a child; each copy names it as its parent.
        String published = JSON.readTree(server.get("/api/v1/messages?integration=webshop-orders&key=many-7").body()).path("messageId").asText();
        JsonNode parent = awaitMessage(() -> message(published), m -> m.path("deliveries").size() > 0);
        assertEquals("delivered", parent.get("status").asText(), parent::toString);
        JsonNode children = parent.at("/deliveries/0/children");
        assertEquals(2, children.size(), parent::toString);
        List<String> subscribers = new ArrayList<>();
        for (JsonNode child : children) {
            JsonNode copy = message(child.asText());
            assertEquals(published, copy.get("parentId").asText(), copy::toString);
            assertEquals("webshop-orders/orders/many-7", copy.get("idempotencyKey").asText(), copy::toString);
            assertEquals("1", copy.at("/headers/junction-channel-version").asText(), copy::toString);
            subscribers.add(copy.get("integration").asText());
        }
        assertEquals(List.of("orders-to-crm", "orders-to-erp"), subscribers.stream().sorted().toList());
    }

    @Test
    void aViolationOfTheChannelsSchemaIsDeadLetteredAtThePublisher() throws Exception {
        // The web shop's schema lets an order without the customer's name through; the canonical model does not.
        String id = server.postAccepted("/webhooks/webshop/orders", "nameless-1",
                "{\"id\":\"nameless-1\",\"customer\":{\"email\":\"ada@example.com\"},\"lines\":[{\"sku\":\"LAMP\",\"qty\":1,\"price\":2}]}");

        Settlement settlement = Outcomes.await(server.junction().system(), "webshop-orders", PARTITIONS, id);
        Settlement.TargetOutcome outcome = settlement.targets().get(0);
        assertEquals(Settlement.Status.DEAD_LETTERED, outcome.status());
        assertEquals("channel-schema", outcome.errorClass());
        assertTrue(outcome.detail().contains("/customer/name [required]"), outcome.detail());
        assertTrue(settlement.children().isEmpty(), "no subscriber got a copy");
        JsonNode letters = JSON.readTree(server.get("/api/v1/dead-letters?integration=webshop-orders").body());
        assertTrue(letters.toString().contains("/customer/name [required]"), letters::toString);
        assertEquals(0, erp.requests("webshop-orders/orders/nameless-1") + crm.requests("webshop-orders/orders/nameless-1"));
    }

    @Test
    void aSubscriberWhoseTargetIsDownHoldsBackOnlyItself() throws Exception {
        crmDown = true;
        try {
            List<String> keys = derived("webshop-orders", post("webshop", "down-", 50));
            // The ERP gets all of them while the CRM answers 503 to every one: the publisher and the ERP went on without it.
            Effects.awaitDelivered(erp, keys, WAIT);
            assertEquals(0, keys.stream().mapToInt(crm::successes).sum());
            Await.until(WAIT, () -> lag("orders-to-crm") == 50 && lag("orders-to-erp") == 0,
                    () -> "lag: crm " + lag("orders-to-crm") + ", erp " + lag("orders-to-erp"));
            assertTrue(keys.stream().anyMatch(k -> crm.requests(k) > 0), "the CRM was tried");
            crmDown = false;
            Effects.awaitDelivered(crm, keys, WAIT);
            Effects atCrm = Effects.of(keys, crm);
            assertTrue(atCrm.lost().isEmpty() && atCrm.duplicateEffects().isEmpty(), atCrm::toString);
        } finally {
            crmDown = false;
        }
    }

    @Test
    void aSubscriberTakesOnlyTheVersionsItAcceptsAndTheOthersAreFilteredWithTheReason() throws Exception {
        String id = server.postAccepted("/webhooks/marketplace/orders", "mp-1", TestConfig.order("mp-1"));
        Effects.awaitDelivered(erp, List.of("marketplace-orders/orders/mp-1"), WAIT);
        JsonNode parent = awaitMessage(() -> message(id), m -> m.path("deliveries").size() > 0);
        JsonNode atCrm = null;
        for (JsonNode child : parent.at("/deliveries/0/children")) {
            JsonNode copy = message(child.asText());
            if (copy.get("integration").asText().equals("orders-to-crm")) {
                atCrm = awaitMessage(() -> message(child.asText()), m -> !m.get("status").asText().equals("pending"));
            }
        }
        assertTrue(atCrm != null, parent::toString);
        assertEquals("filtered", atCrm.get("status").asText(), atCrm::toString);
        JsonNode target = atCrm.at("/deliveries/0/targets/0");
        assertEquals("channel-version", target.get("errorClass").asText(), atCrm::toString);
        assertEquals("channel orders v2: this subscriber accepts versions [1]", target.get("detail").asText());
        assertEquals(0, crm.requests("marketplace-orders/orders/mp-1"));
    }

    @Test
    void aSubscriberAddedByReloadGetsWhatIsPublishedAfterItAppearsAndThePublisherKeepsItsRevision() throws Exception {
        List<String> before = derived("webshop-orders", post("webshop", "before-", 20));
        Effects.awaitDelivered(erp, before, WAIT);
        String revision = revision("webshop-orders");
        Files.writeString(config, config(true));
        JsonNode reload = JSON.readTree(server.postJson("/api/v1/integrations/reload", "").body());
        assertTrue(reload.toString().contains("orders-to-warehouse: added"), reload::toString);
        assertTrue(reload.toString().contains("channel returns: added (versions [1])"), reload::toString);
        assertFalse(reload.toString().contains("webshop-orders"), reload::toString);
        try {
            assertEquals(revision, revision("webshop-orders"), "adding a subscriber leaves the publisher's revision as it was");

            List<String> after = derived("webshop-orders", post("webshop", "after-", 30));
            Effects.awaitDelivered(warehouse, after, WAIT);
            Effects atWarehouse = Effects.of(after, warehouse);
            assertTrue(atWarehouse.lost().isEmpty() && atWarehouse.duplicateEffects().isEmpty(), atWarehouse::toString);
            assertEquals(0, before.stream().mapToInt(warehouse::requests).sum(), "published before it appeared");
            // The canonical message as it is: the warehouse has no steps.
            assertEquals("after-3", JSON.readTree(warehouse.lastBody(after.get(3))).get("orderId").asText());

            JsonNode channels = JSON.readTree(server.get("/api/v1/channels").body());
            JsonNode orders = channels.get("items").get(0);
            assertEquals("orders", orders.get("name").asText(), channels::toString);
            assertEquals(2, orders.get("version").asInt(), channels::toString);
            assertEquals("[1,2]", orders.get("versions").toString(), channels::toString);
            assertEquals(List.of("marketplace-orders", "webshop-orders"), orders.get("publishers").findValuesAsText("integration"));
            assertEquals(List.of("orders-to-crm", "orders-to-erp", "orders-to-warehouse"), orders.get("subscribers").findValuesAsText("integration"));
        } finally {
            Files.writeString(config, config(false));
            JsonNode removed = JSON.readTree(server.postJson("/api/v1/integrations/reload", "").body());
            assertTrue(removed.toString().contains("orders-to-warehouse: removed"), removed::toString);
            assertEquals(revision, revision("webshop-orders"), "removing a subscriber leaves the publisher's revision as it was");
        }
        List<String> removedKeys = derived("webshop-orders", post("webshop", "removed-", 5));
        Effects.awaitDelivered(erp, removedKeys, WAIT);
        assertEquals(0, removedKeys.stream().mapToInt(warehouse::requests).sum(), "a removed subscriber gets no more");
    }

    @Test
    void reprocessingASubscriberTakesTheCopiesTheChannelGaveIt() throws Exception {
        java.time.Instant from = java.time.Instant.now().minusSeconds(1);
        List<String> keys = derived("webshop-orders", post("webshop", "again-", 3));
        Effects.awaitDelivered(erp, keys, WAIT);

        var response = server.postJson("/api/v1/integrations/orders-to-erp/reprocess", """
            {"from":"%s","to":"%s","target":"erp","by":"ops","reason":"the ERP lost a day"}"""
                .formatted(from, java.time.Instant.now().plusSeconds(1)));

        assertEquals(200, response.statusCode(), response::body);
        String operation = JSON.readTree(response.body()).get("operationId").asText();
        List<String> copies = keys.stream().map(k -> k + ":reprocess:" + operation).toList();
        Effects.awaitDelivered(erp, copies, WAIT);
    }

    private List<String> post(String source, String prefix, int count) throws Exception {
        List<String> keys = IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        for (String key : keys) {
            server.postAccepted("/webhooks/" + source + "/orders", key, TestConfig.order(key));
        }
        return keys;
    }

    /** The key each subscriber's copy carries: {@code <publisher>/<target>/<key>}. */
    private static List<String> derived(String publisher, List<String> keys) {
        return keys.stream().map(k -> publisher + "/orders/" + k).toList();
    }

    private JsonNode awaitMessage(java.util.function.Supplier<JsonNode> read, java.util.function.Predicate<JsonNode> ready) {
        JsonNode[] last = new JsonNode[1];
        Await.until(WAIT, () -> ready.test(last[0] = read.get()), () -> "not yet: " + last[0]);
        return last[0];
    }

    private JsonNode message(String id) {
        try {
            return JSON.readTree(server.get("/api/v1/messages/" + id).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String revision(String integration) throws Exception {
        return JSON.readTree(server.get("/api/v1/integrations/" + integration).body()).get("revision").asText();
    }

    private int lag(String subscriber) {
        try {
            JsonNode channels = JSON.readTree(server.get("/api/v1/channels").body());
            for (JsonNode s : channels.at("/items/0/subscribers")) {
                if (s.get("integration").asText().equals(subscriber)) {
                    return s.get("lag").asInt();
                }
            }
            return -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
