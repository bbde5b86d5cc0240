package dev.junction.server.observability;

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

/** The durable activity counts the dashboard draws: each outcome in its own column, filtered ones included. */
class ActivityCountsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void deliveredFilteredAndDeadLetteredAreCountedApartPerBucket() throws Exception {
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> key.startsWith("bad-") ? 422 : 200)) {
            Path config = TestConfig.write(dir, """
                junction {
                  http.port = 0
                  node.port = 0
                  alerts { check-interval = 500ms, bucket = 1s }
                  systems {
                    webshop { connector = http }
                    erp { connector = http, base-url = "%s" }
                  }
                  integrations {
                    counted {
                      source { system = webshop, webhook { path = "webshop/orders" } }
                      steps = [ { filter { when = ".currency == \\"EUR\\"" } } ]
                      targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                      monitoring { freshness { max-age = off } }
                    }
                  }
                }
                """.formatted(erp.baseUrl()));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                for (int n = 0; n < 4; n++) {
                    server.postAccepted("/webhooks/webshop/orders", "ok-" + n, TestConfig.order("SO-" + n));
                }
                for (int n = 0; n < 3; n++) {
                    server.postAccepted("/webhooks/webshop/orders", "usd-" + n, TestConfig.order("US-" + n).replace("EUR", "USD"));
                }
                for (int n = 0; n < 2; n++) {
                    server.postAccepted("/webhooks/webshop/orders", "bad-" + n, TestConfig.order("BAD-" + n));
                }
                Await.until(Duration.ofSeconds(20), () -> {
                    JsonNode a = activity(server);
                    return a != null && a.get("received").asLong() == 9 && a.get("delivered").asLong() + a.get("filtered").asLong()
                            + a.get("deadLettered").asLong() == 9;
                }, () -> "activity: " + activity(server));
                JsonNode a = activity(server);
                assertEquals(4, a.get("delivered").asLong(), a.toString());
                assertEquals(3, a.get("filtered").asLong(), a.toString());
                assertEquals(2, a.get("deadLettered").asLong(), a.toString());
                long inBuckets = 0;
                for (JsonNode bucket : a.get("buckets")) {
                    inBuckets += bucket.get("filtered").asLong();
                }
                assertEquals(3, inBuckets, "the buckets add up to the total: " + a);
            }
        }
    }

    private static JsonNode activity(RunningServer server) {
        try {
            var response = server.get("/api/v1/activity?minutes=5");
            assertEquals(200, response.statusCode(), response.body());
            for (JsonNode item : JSON.readTree(response.body()).get("items")) {
                if (item.get("integration").asText().equals("counted")) {
                    return item;
                }
            }
            return null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
