package dev.junction.server.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.inbox.Settlement;
import dev.junction.server.inbox.Settlement.Status;
import dev.junction.server.testing.Outcomes;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filter step ends a message as filtered, naming the rule; a target's {@code when} routes each message to the targets it
 * holds for, and each target's outcome is recorded on its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilterAndRouteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/webhooks/webshop/orders";

    @TempDir
    static Path dir;
    private RecordingTarget erp;
    private RecordingTarget audit;
    private RunningServer server;

    @BeforeAll
    void start() throws Exception {
        erp = new RecordingTarget();
        audit = new RecordingTarget();
        Path config = TestConfig.write(dir, """
            junction {
              http.port = 0
              node.port = 0
              inbox.partitions = 2
              systems {
                webshop { connector = http }
                erp { connector = http, base-url = "%s" }
                audit { connector = http, base-url = "%s" }
              }
              integrations {
                orders {
                  source { system = webshop, webhook { path = "webshop/orders" } }
                  steps = [
                    { filter { when = ".currency == \\"EUR\\"" } }
                    { map { mapping = "mappings/order-to-erp.jslt", version = 1 } }
                  ]
                  targets = [
                    { system = erp, http { path = "/orders" } }
                    { system = audit, when = ".total > 100", http { path = "/large-orders" } }
                  ]
                }
              }
            }
            """.formatted(erp.baseUrl(), audit.baseUrl()));
        server = RunningServer.start(config, dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        erp.close();
        audit.close();
    }

    @Test
    void aMessageTheFilterRejectsEndsFilteredWithItsRule() throws Exception {
        String id = accepted("usd-1", order("SO-1", "USD", 1));

        Settlement settlement = settlementOf(id);
        for (Settlement.TargetOutcome outcome : settlement.targets()) {
            assertEquals(Status.FILTERED, outcome.status());
            assertEquals("filter(.currency == \"EUR\")", outcome.detail());
        }
        assertEquals(0, erp.requests("usd-1") + audit.requests("usd-1"));
    }

    @Test
    void eachTargetGetsOnlyTheMessagesItsWhenHoldsFor() throws Exception {
        String small = accepted("eur-small", order("SO-2", "EUR", 1));
        String large = accepted("eur-large", order("SO-3", "EUR", 10));

        Settlement smallOutcome = settlementOf(small);
        assertEquals(Status.DELIVERED, outcomeOf(smallOutcome, "erp").status());
        assertEquals(Status.FILTERED, outcomeOf(smallOutcome, "audit").status());
        assertEquals("when(.total > 100)", outcomeOf(smallOutcome, "audit").detail());
        Settlement largeOutcome = settlementOf(large);
        assertEquals(Status.DELIVERED, outcomeOf(largeOutcome, "erp").status());
        assertEquals(Status.DELIVERED, outcomeOf(largeOutcome, "audit").status());
        assertEquals(1, erp.requests("eur-small"));
        assertEquals(0, audit.requests("eur-small"));
        assertEquals(1, audit.requests("eur-large"));
    }

    private static String order(String id, String currency, int quantity) {
        return """
            {"id":"%s","currency":"%s","customer":{"email":"ada@example.com"},"lines":[{"sku":"LAMP","qty":%d,"price":19.5}]}"""
                .formatted(id, currency, quantity);
    }

    private String accepted(String key, String body) throws Exception {
        HttpResponse<String> response = server.post(PATH, key, body);
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("messageId").asText();
    }

    private static Settlement.TargetOutcome outcomeOf(Settlement settlement, String target) {
        return settlement.targets().stream().filter(t -> t.target().equals(target)).findFirst().orElseThrow();
    }

    private Settlement settlementOf(String messageId) {
        return Outcomes.await(server.junction().system(), "orders", 2, messageId);
    }
}
