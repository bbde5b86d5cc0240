package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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

/**
 * The dedup window is real in both directions: within it a key is a duplicate (from memory, and from the durable index once
 * memory dropped it), after it the same key is a new message.
 */
class DedupWindowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/webhooks/webshop/orders";

    @TempDir
    Path dir;

    @Test
    void aKeyIsADuplicateWithinTheWindowAndANewMessageAfterIt() throws Exception {
        try (RecordingTarget target = new RecordingTarget()) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(), "")
                    .replace("node.port = 0", "node.port = 0\n  inbox { partitions = 1, dedup-window = 8s, dedup-max-keys = 100 }"));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                String first = id(server.postUntilAnswered(PATH, "order-1", TestConfig.order("order-1")).body());
                long acceptedAt = System.currentTimeMillis(); // the partition stamps the key when it accepts it, before this answer
                // 150 more keys: the budget of 100 drops order-1 from memory, so its next answer comes from the durable index
                for (int i = 0; i < 150; i++) {
                    server.postUntilAnswered(PATH, "filler-" + i, TestConfig.order("filler-" + i));
                }
                var within = server.post(PATH, "order-1", TestConfig.order("order-1"));
                assertEquals(200, within.statusCode(), "within the window, after memory dropped it: " + within.body());
                assertEquals(first, id(within.body()), "answered with the original message id");

                Thread.sleep(Math.max(0, acceptedAt + 8_500 - System.currentTimeMillis())); // the window passes
                var after = server.post(PATH, "order-1", TestConfig.order("order-1"));
                assertEquals(202, after.statusCode(), "after the window the same key is a new message: " + after.body());
                assertNotEquals(first, id(after.body()));
                Await.until(Duration.ofSeconds(30), () -> target.messageIds("order-1").size() == 2,
                        () -> "the second message was not delivered: " + target.messageIds("order-1"));
                var again = server.post(PATH, "order-1", TestConfig.order("order-1"));
                assertEquals(200, again.statusCode(), "and it is deduplicated in its own window");
                assertEquals(id(after.body()), id(again.body()));
            }
        }
    }

    private static String id(String body) throws Exception {
        return JSON.readTree(body).get("messageId").asText();
    }
}
