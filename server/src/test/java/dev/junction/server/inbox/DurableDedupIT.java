package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.BulkSender;
import dev.junction.server.testing.LocalCluster;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deduplication holds for the whole window whatever the number of keys: with a budget of 1,000 keys in memory per partition
 * (4 partitions), 50,000 keys are accepted and all of them posted again, on the same node, after a restart, and on the other
 * node of a two-node cluster after the first leaves: 50,000 duplicates each time, nothing delivered twice. The keys memory
 * no longer holds are found in the durable key index, a batch at a time.
 */
class DurableDedupIT {
    private static final int KEYS = 50_000;
    private static final String PATH = "/webhooks/webshop/orders";

    @TempDir
    Path dir;

    @Test
    void everyKeyOfTheWindowIsADuplicateWithATinyMemoryBudget() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget target = new RecordingTarget(32)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(), "resilience.max-in-flight = 64")
                    .replace("node.port = 0", "node.port = 0\n  inbox { partitions = 4, dedup-max-keys = 1000 }"));
            List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> "dedup-" + i).toList();
            int portA = LocalCluster.freePort();
            Map<String, String> envA = LocalCluster.nodeEnv(db, portA, portA);

            try (RunningServer a = RunningServer.start(config, dir.resolve("a"), envA)) {
                Map<Integer, Long> first = BulkSender.count(BulkSender.post(a.url(PATH), keys, TestConfig::order, 32));
                // 200: a key sent again after a 503 whose write had committed after all
                assertEquals(KEYS, first.getOrDefault(202, 0L) + first.getOrDefault(200, 0L), "every key accepted: " + first);
                Await.until(Duration.ofSeconds(120), () -> target.applied().size() == KEYS, () -> target.applied().size() + " delivered");
                Await.until(Duration.ofSeconds(30), () -> storedKeys(db) == KEYS, () -> storedKeys(db) + " keys in the durable index");
                assertEquals(Map.of(200, (long) KEYS), BulkSender.count(BulkSender.post(a.url(PATH), keys, TestConfig::order, 32)),
                        "all duplicates on the same node, though memory holds at most 4,000");
            }
            try (RunningServer a = RunningServer.start(config, dir.resolve("a"), envA)) {
                assertEquals(Map.of(200, (long) KEYS), BulkSender.count(BulkSender.post(a.url(PATH), keys, TestConfig::order, 32)),
                        "all duplicates after a restart");
                int portB = LocalCluster.freePort();
                try (RunningServer b = RunningServer.start(config, dir.resolve("b"), LocalCluster.nodeEnv(db, portA, portB))) {
                    Await.until(Duration.ofSeconds(30), () -> LocalCluster.up(b) == 2, () -> "cluster of two not formed");
                    a.close(); // its partitions move to b, which recovers them with their small memory
                    assertEquals(Map.of(200, (long) KEYS), BulkSender.count(BulkSender.post(b.url(PATH), keys, TestConfig::order, 32)),
                            "all duplicates on the other node");
                }
            }
            Thread.sleep(2000); // anything wrongly accepted would be delivered by now
            assertEquals(List.of(), keys.stream().filter(k -> target.successes(k) != 1 || target.messageIds(k).size() != 1).limit(10).toList(),
                    "every key delivered exactly once, as one message");
        }
    }

    private static long storedKeys(PostgresDatabase db) {
        try (var c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, "");
             ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM junction_inbox_keys")) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
