package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.BulkSender;
import dev.junction.server.testing.LocalCluster;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.PrometheusText;
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
 * no longer holds are found in the durable key index, a batch at a time; new keys are mostly ruled out by the filter of
 * dropped keys and not looked up at all.
 */
class DurableDedupIT {
    private static final int KEYS = 50_000;
    private static final int NEW_KEYS = 5_000;
    private static final String PATH = "/webhooks/webshop/orders";

    @TempDir
    Path dir;

    @Test
    void everyKeyOfTheWindowIsADuplicateWithATinyMemoryBudget() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget target = new RecordingTarget(32)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(), "resilience.max-in-flight = 64")
                    .replace("node.port = 0", "node.port = 0\n  inbox { partitions = 4, dedup-max-keys = 1000 }"));
            List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> "dedup-" + i).toList();
            List<String> newKeys = IntStream.range(0, NEW_KEYS).mapToObj(i -> "new-" + i).toList();
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

                // New keys now: the filter of dropped keys rules nearly all of them out, so few are looked up.
                double lookedUp = settledCount(a, "duplicate", KEYS, "junction_dedup_lookups_total");
                Map<Integer, Long> fresh = BulkSender.count(BulkSender.post(a.url(PATH), newKeys, TestConfig::order, 32));
                assertEquals(NEW_KEYS, fresh.getOrDefault(202, 0L) + fresh.getOrDefault(200, 0L), "every new key accepted: " + fresh);
                double newLookups = settledCount(a, "accepted", KEYS + NEW_KEYS, "junction_dedup_lookups_total") - lookedUp;
                System.out.println("new keys looked up: " + newLookups);
                assertTrue(newLookups < NEW_KEYS / 10.0, newLookups + " of " + NEW_KEYS + " new keys looked up in the durable index");
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
            assertEquals(List.of(), java.util.stream.Stream.concat(keys.stream(), newKeys.stream()).filter(k -> target.successes(k) != 1 || target.messageIds(k).size() != 1).limit(10).toList(),
                    "every key delivered exactly once, as one message");
        }
    }

    /** {@code metric} once the received counter of {@code outcome} has reached {@code atLeast} in a scrape. */
    private static double settledCount(RunningServer server, String outcome, long atLeast, String metric) {
        PrometheusText[] last = new PrometheusText[1];
        Await.until(Duration.ofSeconds(30), () -> {
            try {
                last[0] = new PrometheusText(server.get("/metrics").body());
            } catch (Exception e) {
                return false; // asked again until the timeout
            }
            return last[0].valueOr0("junction_messages_received_total", "integration", "orders-to-erp", "outcome", outcome) >= atLeast;
        }, () -> outcome + " below " + atLeast + " in /metrics");
        return last[0].valueOr0(metric, "integration", "orders-to-erp");
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
