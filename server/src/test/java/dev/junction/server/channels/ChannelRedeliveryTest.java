package dev.junction.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Effects;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher's delivery runs again (here: its other target was still failing when the node stopped, so after the restart
 * the whole message is delivered again, its channel target included): each subscriber's copy has the key derived from the
 * original, so the second publish is a duplicate in the subscriber's inbox and the subscriber's target sees each order once.
 */
class ChannelRedeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private volatile boolean ledgerUp;

    @Test
    void aPublishDeliveredAgainIsAppliedOnceAtTheSubscriber() throws Exception {
        try (RecordingTarget erp = new RecordingTarget(); RecordingTarget ledger = new RecordingTarget()
                .respondWith((key, n) -> ledgerUp ? 200 : 503)) {
            Path config = TestConfig.write(dir, """
                junction {
                  http.port = 0
                  node.port = 0
                  inbox.partitions = 1
                  systems {
                    webshop { connector = http }
                    erp { connector = http, base-url = "%s" }
                    ledger {
                      connector = http, base-url = "%s"
                      resilience { circuit-breaker.enabled = false, retry { max-attempts = 1000, min-backoff = 50ms, max-backoff = 200ms } }
                    }
                  }
                  channels { orders { schema = "schemas/webshop-order.schema.json" } }
                  integrations {
                    webshop-orders {
                      source { system = webshop, webhook { path = "webshop/orders" } }
                      targets = [ { channel = orders }, { system = ledger, http { path = "/ledger" } } ]
                    }
                    orders-to-erp {
                      source { channel = orders }
                      steps = [ { map { mapping = "mappings/order-to-erp.jslt", version = 1 } } ]
                      targets = [ { system = erp, http { path = "/erp/orders" } } ]
                    }
                  }
                }
                """.formatted(erp.baseUrl(), ledger.baseUrl()));
            Path data = dir.resolve("data");
            List<String> orders = IntStream.range(0, 100).mapToObj(i -> "order-" + i).toList();
            List<String> keys = orders.stream().map(k -> "webshop-orders/orders/" + k).toList();
            try (RunningServer server = RunningServer.start(config, data, Map.of())) {
                for (String order : orders) {
                    server.postAccepted("/webhooks/webshop/orders", order, TestConfig.order(order));
                }
                // Published to the channel (the ERP has every order) while the ledger keeps the publisher's messages pending.
                Await.until(WAIT, () -> effectsPerOrder(erp).keySet().containsAll(orders), () -> "not every order at the ERP");
                Await.until(WAIT, () -> orders.stream().allMatch(k -> ledger.requests(k) > 0), () -> "the ledger not tried yet");
            }
            int publishedBefore = erp.totalRequests();
            ledgerUp = true;
            try (RunningServer server = RunningServer.start(config, data, Map.of())) {
                Effects.awaitDelivered(ledger, orders, WAIT);
                // One more order after the restart: once it is through, the redelivered ones are too (one partition, in order).
                server.postAccepted("/webhooks/webshop/orders", "marker", TestConfig.order("marker"));
                Await.until(WAIT, () -> effectsPerOrder(erp).containsKey("marker"), () -> "the marker not at the ERP");
            }

            Effects atErp = Effects.of(keys, erp);
            Map<String, Integer> effectsPerOrder = effectsPerOrder(erp);
            long twice = effectsPerOrder.values().stream().filter(n -> n > 1).count();
            System.out.printf("channel redelivery: %d requests to the ERP before the restart, %d in all; %s; %d orders applied "
                    + "more than once (under different keys)%n", publishedBefore, erp.totalRequests(), atErp, twice);
            assertTrue(atErp.lost().isEmpty() && atErp.duplicateEffects().isEmpty(), atErp::toString);
            assertEquals(0, twice, "orders applied more than once at the subscriber's target: " + effectsPerOrder);
            assertEquals(orders.size() + 1, effectsPerOrder.size());
        }
    }

    /** How many effects (applied keys) the ERP has of each order: an order's copy taken in again under another key is two. */
    private static Map<String, Integer> effectsPerOrder(RecordingTarget erp) {
        Map<String, Integer> perOrder = new TreeMap<>();
        for (String key : erp.applied()) {
            try {
                perOrder.merge(JSON.readTree(erp.lastBody(key)).get("orderNumber").asText(), 1, Integer::sum);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return perOrder;
    }
}
