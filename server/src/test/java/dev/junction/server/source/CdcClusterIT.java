package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.LocalCluster;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ReplicationSlots;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Junction nodes (JVMs, one PostgreSQL journal) and a cdc source on a table of 2,000 rows in a database of the test's own:
 * every row is inserted, updated, and every fourth deleted (4,500 changes in transactions of 10), while the node reading the
 * slot is killed with SIGKILL mid-stream. The other node takes the single reader over and goes on from the position in the
 * journal: at the HTTP target every change arrives, none under two message ids, and each row's changes arrive in the order
 * they were made (one partition delivering one message at a time, so the target sees the order the inbox accepted).
 *
 * <p>The reader is made to be on the node the split brain resolver does not keep: the node with the higher address starts
 * alone (and takes the reader), the other joins it; killing the first leaves the lower address, the side keep-majority keeps
 * when two halves are equal.
 */
class CdcClusterIT {
    private static final int ROWS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;

    @Test
    void theOtherNodeTakesTheSlotOverFromTheCommittedPositionLosingAndRepeatingNothing() throws Exception {
        try (PostgresDatabase journal = PostgresDatabase.create();
             PostgresDatabase shop = PostgresDatabase.create();
             ReplicationSlots slot = new ReplicationSlots();
             RecordingTarget target = new RecordingTarget(8)) {
            try (Connection c = DriverManager.getConnection(shop.url(), PostgresDatabase.USER, ""); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE orders (id INT PRIMARY KEY, status TEXT NOT NULL, total NUMERIC(10,2) NOT NULL)");
                s.execute("ALTER TABLE orders REPLICA IDENTITY FULL");
            }
            run(journal, shop, slot, target);
        }
    }

    private void run(PostgresDatabase journal, PostgresDatabase shop, ReplicationSlots slot, RecordingTarget target) throws Exception {
        Path config = TestConfig.write(dir, """
            junction {
              inbox { partitions = 1, delivery-window = 1 }
              systems {
                shop-db { connector = jdbc, url = "%s", user = "%s" }
                erp {
                  connector = http
                  base-url = "%s"
                  resilience { max-in-flight = 1, retry { max-attempts = 50, min-backoff = 50ms, max-backoff = 1s } }
                }
              }
              integrations {
                orders-changes {
                  source { system = shop-db, cdc { tables = ["public.orders"], slot = %s, batch = 200 } }
                  targets = [ { system = erp, http { path = "/erp/changes" } } ]
                }
              }
            }
            """.formatted(shop.url(), PostgresDatabase.USER, target.baseUrl(), slot.name));
        int[] ports = LocalCluster.lowAndHighPorts();
        int low = ports[0];
        int high = ports[1];
        List<String> jvm = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        AtomicInteger made = new AtomicInteger();
        int deliveredAtKill;
        try (ServerProcess reader = ServerProcess.start(config, ServerProcess.freePort(), env(journal, high, high), dir.resolve("reader.log"), jvm)) {
            Await.until(Duration.ofSeconds(90), () -> reading(dir.resolve("reader.log")),
                    () -> "the first node does not read the slot; see " + dir);
            Map<String, String> survivorEnv = env(journal, high, low);
            try (ServerProcess survivor = ServerProcess.start(config, ServerProcess.freePort(), survivorEnv, dir.resolve("survivor.log"), jvm)) {
                String members = "http://127.0.0.1:" + survivorEnv.get("JUNCTION_MGMT_PORT") + "/cluster/members";
                Await.until(Duration.ofSeconds(60), () -> upMembers(members) == 2, () -> "the second node did not join; see " + dir);
                CompletableFuture<Void> changing = CompletableFuture.runAsync(() -> change(shop, made));
                // mid-stream: the table still changing, the reader reading as it changes
                Await.until(Duration.ofSeconds(90), () -> made.get() >= 2_000 && target.applied().size() >= 300,
                        () -> made.get() + " made, " + target.applied().size() + " delivered; see " + dir);
                reader.kill();
                deliveredAtKill = target.applied().size();
                changing.join();
                int expected = ROWS * 2 + ROWS / 4;
                Await.until(Duration.ofSeconds(120), () -> target.applied().size() >= expected,
                        () -> (expected - target.applied().size()) + " changes never reached the target; see " + dir);
                Await.until(Duration.ofSeconds(60), () -> reading(dir.resolve("survivor.log")), () -> "the survivor never read the slot");
                Thread.sleep(1000); // a change delivered twice would arrive now
            }
        }
        verify(target, made.get(), deliveredAtKill);
    }

    private void verify(RecordingTarget target, int made, int deliveredAtKill) throws Exception {
        Map<Integer, List<String>> opsOfRow = new HashMap<>();
        Map<String, String> rowOfKey = new HashMap<>();
        Map<String, Long> lsnOfKey = new HashMap<>();
        for (String key : target.applied()) {
            for (String body : target.bodies(key)) {
                JsonNode change = JSON.readTree(body);
                opsOfRow.computeIfAbsent(change.path("key").path("id").asInt(), r -> new ArrayList<>()).add(change.path("op").asText());
                rowOfKey.put(key, change.path("row").asText());
                lsnOfKey.put(key, lsn(change.path("lsn").asText()));
            }
        }
        List<Integer> lost = new ArrayList<>();
        List<Integer> extra = new ArrayList<>();
        for (int id = 0; id < ROWS; id++) {
            List<String> wanted = id % 4 == 0 ? List.of("delete", "insert", "update") : List.of("insert", "update");
            List<String> got = opsOfRow.getOrDefault(id, List.of()).stream().sorted().toList();
            if (!got.containsAll(wanted)) {
                lost.add(id);
            } else if (got.size() > wanted.size()) {
                extra.add(id);
            }
        }
        long keysTwice = target.applied().stream().filter(k -> target.messageIds(k).size() > 1).count();
        // the order each row's changes first reached the target, against the order of their LSNs
        Map<String, List<Long>> arrivals = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (RecordingTarget.Answer answer : target.answers()) {
            if (answer.status() < 300 && seen.add(answer.key()) && rowOfKey.containsKey(answer.key())) {
                arrivals.computeIfAbsent(rowOfKey.get(answer.key()), r -> new ArrayList<>()).add(lsnOfKey.get(answer.key()));
            }
        }
        long outOfOrder = arrivals.values().stream().filter(l -> !l.equals(l.stream().sorted().toList())).count();
        long redelivered = target.applied().stream().filter(k -> target.successes(k) > 1).count();
        System.out.printf("cdc cluster test: %d changes made, reading node killed with %d delivered; %d rows with a change lost, %d rows"
                + " with a change twice, %d keys under more than one message id, %d rows out of order, %d changes delivered again"
                + " (same message id)%n", made, deliveredAtKill, lost.size(), extra.size(), keysTwice, outOfOrder, redelivered);
        assertTrue(deliveredAtKill < made, "killed mid-stream: " + deliveredAtKill + " of " + made + " delivered");
        assertEquals(List.of(), lost.stream().limit(10).toList(), lost.size() + " rows with a change that never reached the target");
        assertEquals(List.of(), extra.stream().limit(10).toList(), extra.size() + " rows with a change that arrived as two changes");
        assertEquals(0, keysTwice, "changes accepted under more than one message id: duplicate effects");
        assertEquals(made, target.applied().size(), "exactly the changes made reached the target");
        assertEquals(0, outOfOrder, "rows whose changes reached the target out of the order they were made");
    }

    /** 2,000 inserts, 2,000 updates, 500 deletes, in transactions of 10 rows, about 600 changes a second. */
    private static void change(PostgresDatabase shop, AtomicInteger made) {
        try (Connection c = DriverManager.getConnection(shop.url(), PostgresDatabase.USER, ""); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String phase : List.of("insert", "update", "delete")) {
                for (int from = 0; from < ROWS; from += 10) {
                    int n = 0;
                    for (int id = from; id < from + 10; id++) {
                        if (phase.equals("insert")) {
                            s.addBatch("INSERT INTO orders VALUES (" + id + ", 'new', " + (id % 500) + ".25)");
                            n++;
                        } else if (phase.equals("update")) {
                            s.addBatch("UPDATE orders SET status = 'paid', total = total + 1 WHERE id = " + id);
                            n++;
                        } else if (id % 4 == 0) {
                            s.addBatch("DELETE FROM orders WHERE id = " + id);
                            n++;
                        }
                    }
                    s.executeBatch();
                    c.commit();
                    made.addAndGet(n);
                    Thread.sleep(15);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("changing the table failed", e);
        }
    }

    private static int upMembers(String url) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            int n = 0;
            for (JsonNode member : JSON.readTree(response.body()).path("members")) {
                n += member.path("status").asText().equals("Up") ? 1 : 0;
            }
            return n;
        } catch (Exception e) {
            return -1;
        }
    }

    private static boolean reading(Path log) {
        try {
            return Files.exists(log) && Files.readString(log).contains("connected: replication slot");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static long lsn(String text) {
        String[] parts = text.split("/");
        return (Long.parseLong(parts[0], 16) << 32) + Long.parseLong(parts[1], 16);
    }

    private Map<String, String> env(PostgresDatabase journal, int seed, int own) throws Exception {
        Map<String, String> env = new HashMap<>(LocalCluster.nodeEnv(journal, seed, own));
        env.put("JUNCTION_PLUGINS_DIR", OutboxCrashIT.pluginDirectory().toString());
        env.put("JUNCTION_MGMT_PORT", String.valueOf(LocalCluster.freePort()));
        env.put("JUNCTION_DATA_DIR", dir.resolve("data-" + own).toString());
        return env;
    }
}
