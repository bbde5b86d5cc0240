package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.BulkSender;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention of 5 s: the events of settled messages leave the journal table (a prefix of each partition's events, checked with
 * SQL), while dead letters and pending messages stay whole (their records carried forward), the partitions still recover,
 * and the keys of the dedup window (1 h) are still answered as duplicates.
 */
class RetentionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PATH = "/webhooks/webshop/orders";

    @TempDir
    Path dir;

    @Test
    void settledEventsGoWhileDeadLettersPendingAndDedupStay() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget erp = new RecordingTarget()) {
            java.util.concurrent.atomic.AtomicBoolean pendingDown = new java.util.concurrent.atomic.AtomicBoolean(true);
            erp.respondWith((key, n) -> key.startsWith("bad-") ? 400 : key.startsWith("pend-") && pendingDown.get() ? 503 : 200);
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(),
                            "resilience.retry { max-attempts = 10000, min-backoff = 200ms, max-backoff = 1s }")
                    .replace("node.port = 0", "node.port = 0\n  inbox { partitions = 2, retention = 5s, retention-check = 2s, "
                            + "snapshot-every = 100, dedup-window = 1h }"));
            Map<String, String> env = Map.of("JUNCTION_DB_URL", db.url(), "JUNCTION_DB_USER", PostgresDatabase.USER);
            List<String> early = keys("ok-early-", 300);
            List<String> bad = keys("bad-", 5);
            List<String> pend = keys("pend-", 5);
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), env)) {
                send(server, early);
                send(server, bad);
                send(server, pend);
                Await.until(Duration.ofSeconds(60), () -> erp.applied().containsAll(early), () -> "not all delivered");
                Await.until(Duration.ofSeconds(60), () -> deadLetters(server).get("matched").asInt() == 5, () -> "dead letters");
                long before = events(db);
                Thread.sleep(6000); // the early events are older than the retention now
                send(server, keys("ok-late-", 600)); // later events, and snapshots after the early ones
                Await.until(Duration.ofSeconds(60), () -> accepted(db, "ok-early-") == 0,
                        () -> accepted(db, "ok-early-") + " early Accepted events still in the journal (of " + before + " events)");
                assertTrue(minSequenceNr(db) > 1, "a prefix of each partition's events is gone");
                // Dead letters and pending messages are whole: their records were carried forward.
                for (JsonNode item : deadLetters(server).get("items")) {
                    var opened = server.get("/api/v1/dead-letters/" + item.get("messageId").asText());
                    assertEquals(200, opened.statusCode(), "a dead letter opens after retention: " + opened.body());
                    JsonNode letter = JSON.readTree(opened.body());
                    assertTrue(letter.get("raw").asText().contains(item.get("idempotencyKey").asText()), letter.toString());
                    assertEquals(1, letter.get("targets").get(0).get("history").size(), "its attempt is kept: " + letter);
                }
                for (String key : pend) {
                    JsonNode lineage = JSON.readTree(server.get("/api/v1/messages?integration=orders-to-erp&key=" + key).body());
                    assertEquals("pending", lineage.get("status").asText(), lineage.toString());
                }
            }
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), env)) {
                assertEquals(Map.of(200, (long) early.size()), BulkSender.count(BulkSender.post(server.url(PATH), early,
                        TestConfig::order, 16)), "keys in the window are duplicates though their events are gone");
                assertEquals(5, deadLetters(server).get("matched").asInt(), "the dead letters recovered");
                pendingDown.set(false);
                Await.until(Duration.ofSeconds(60), () -> erp.applied().containsAll(pend), () -> "the pending ones delivered after recovery");
                var replay = server.postJson("/api/v1/dead-letters/replay", "{\"integration\":\"orders-to-erp\",\"by\":\"test\"}");
                assertEquals(200, replay.statusCode(), replay.body());
                assertEquals(5, JSON.readTree(replay.body()).get("count").asInt(), "carried dead letters replay: " + replay.body());
            }
            assertEquals(List.of(), early.stream().filter(k -> erp.successes(k) != 1).toList(), "nothing delivered twice");
        }
    }

    private static List<String> keys(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    private static void send(RunningServer server, List<String> keys) {
        Map<Integer, Long> answers = BulkSender.count(BulkSender.post(server.url(PATH), keys, TestConfig::order, 16));
        assertEquals(keys.size(), answers.getOrDefault(202, 0L) + answers.getOrDefault(200, 0L), answers.toString());
    }

    private static JsonNode deadLetters(RunningServer server) {
        try {
            return JSON.readTree(server.get("/api/v1/dead-letters?integration=orders-to-erp").body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long events(PostgresDatabase db) {
        return query(db, "SELECT count(*) FROM event_journal");
    }

    private static long minSequenceNr(PostgresDatabase db) {
        return query(db, "SELECT min(m) FROM (SELECT min(sequence_number) AS m FROM event_journal WHERE persistence_id LIKE 'inbox|%' "
                + "GROUP BY persistence_id) p");
    }

    /** Accepted events whose payload holds keys with this prefix (the payload is CBOR: the key's bytes are in it). */
    private static long accepted(PostgresDatabase db, String prefix) {
        return query(db, "SELECT count(*) FROM event_journal WHERE event_ser_manifest LIKE '%$Accepted' "
                + "AND position(convert_to('" + prefix + "', 'UTF8') in event_payload) > 0");
    }

    private static long query(PostgresDatabase db, String sql) {
        try (Connection c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, ""); ResultSet rows = c.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
