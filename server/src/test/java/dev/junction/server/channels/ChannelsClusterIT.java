package dev.junction.server.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Effects;
import dev.junction.server.testing.LocalCluster;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order channel on a cluster of two Junction JVMs on one PostgreSQL journal: the web shop publishes through both nodes,
 * the ERP and the CRM subscribe. The CRM is down (503) from the start, so its copies pile up in its inbox; one node is killed
 * with SIGKILL while orders are published and delivered, the sender goes on with the other node, the killed node comes back
 * with its data directory, and the CRM recovers. At each subscriber's target every published order arrives once: none lost,
 * none under two message ids (a publish redelivered after the kill fans out to the same copies, by their derived keys), and
 * the lineage read from the restarted node follows a message from the publisher to both copies.
 *
 * <p>The killed node is the one the split brain resolver does not keep: the node with the higher address starts alone, the
 * other joins it; killing the first leaves the lower address, the side keep-majority keeps when two halves are equal.
 */
class ChannelsClusterIT {
    private static final int ORDERS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' logs stay when it fails
    Path dir;
    private volatile boolean crmDown = true;

    @Test
    void everyPublishedOrderReachesEachSubscriberOnceAcrossAKilledNode() throws Exception {
        try (PostgresDatabase journal = PostgresDatabase.create();
             RecordingTarget erp = new RecordingTarget(8);
             RecordingTarget crm = new RecordingTarget(8).respondWith((key, n) -> crmDown ? 503 : 200)) {
            run(journal, erp, crm);
        }
    }

    private void run(PostgresDatabase journal, RecordingTarget erp, RecordingTarget crm) throws Exception {
        Path config = config(erp, crm);
        int[] ports = LocalCluster.lowAndHighPorts();
        int low = ports[0];
        int high = ports[1];
        List<String> jvm = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        List<String> keys = IntStream.range(0, ORDERS).mapToObj(i -> "ord-" + i).toList();
        List<String> copies = keys.stream().map(k -> "webshop-orders/orders/" + k).toList();
        Map<String, String> victimEnv = env(journal, high, high);
        Map<String, String> survivorEnv = env(journal, high, low);
        int victimPort = ServerProcess.freePort();
        Sender sender;
        int atErpWhenKilled;
        int sentWhenKilled;
        ServerProcess victim = ServerProcess.start(config, victimPort, victimEnv, dir.resolve("victim.log"), jvm);
        try (ServerProcess survivor = ServerProcess.start(config, ServerProcess.freePort(), survivorEnv, dir.resolve("survivor.log"), jvm)) {
            String members = "http://127.0.0.1:" + survivorEnv.get("JUNCTION_MGMT_PORT") + "/cluster/members";
            Await.until(Duration.ofSeconds(60), () -> upMembers(members) == 2, () -> "the second node did not join; see " + dir);
            sender = new Sender(List.of(victim.url("/webhooks/webshop/orders"), survivor.url("/webhooks/webshop/orders")));
            Future<?> sending = sender.send(keys);
            // mid-stream: orders still being published, the ERP's copies still arriving
            Await.until(Duration.ofSeconds(120), () -> erp.applied().size() >= ORDERS / 4,
                    () -> sender.acknowledged.size() + " acknowledged, " + erp.applied().size() + " at the ERP; see " + dir);
            victim.kill();
            atErpWhenKilled = erp.applied().size();
            sentWhenKilled = sender.acknowledged.size();
            sending.get();
            sender.close();
            assertEquals(ORDERS, sender.acknowledged.size(), () -> "keys never acknowledged: " + sender.unanswered(keys));

            // The killed node comes back with its data directory and joins; then the CRM recovers and its backlog drains.
            victim = ServerProcess.start(config, victimPort, env(journal, low, high, victimEnv), dir.resolve("victim-again.log"), jvm);
            Await.until(Duration.ofSeconds(90), () -> upMembers(members) == 2, () -> "the killed node did not rejoin; see " + dir);
            crmDown = false;
            Effects.awaitDelivered(erp, copies, Duration.ofSeconds(180));
            Effects.awaitDelivered(crm, copies, Duration.ofSeconds(180));

            // The lineage, read from the restarted node: the publisher's message and its copy for each subscriber.
            String restarted = "http://127.0.0.1:" + victimPort;
            JsonNode found = await(() -> get(restarted + "/api/v1/messages?integration=webshop-orders&key=ord-7"),
                    m -> m.hasNonNull("messageId"), "ord-7 has no message on the restarted node");
            String published = found.get("messageId").asText();
            JsonNode parent = await(() -> get(restarted + "/api/v1/messages/" + published),
                    m -> m.at("/deliveries/0/children").size() == 2, "the lineage of ord-7 does not name both copies");
            for (JsonNode child : parent.at("/deliveries/0/children")) {
                JsonNode copy = await(() -> get(restarted + "/api/v1/messages/" + child.asText()),
                        m -> m.path("status").asText().equals("delivered"), "a copy of ord-7 is not delivered");
                assertEquals(published, copy.path("parentId").asText(), copy::toString);
                assertEquals("webshop-orders/orders/ord-7", copy.path("idempotencyKey").asText(), copy::toString);
            }
        } finally {
            victim.close();
        }

        Effects atErp = Effects.of(copies, erp);
        Effects atCrm = Effects.of(copies, crm);
        long erpKeysTwice = erp.applied().stream().filter(k -> erp.messageIds(k).size() > 1).count();
        long crmKeysTwice = crm.applied().stream().filter(k -> crm.messageIds(k).size() > 1).count();
        System.out.printf("channels cluster test: node killed with %d of %d acknowledged and %d at the ERP, 0 at the CRM; %d posts retried"
                + " on the other node; at the ERP %s; at the CRM %s; %d + %d keys under more than one message id%n",
                sentWhenKilled, ORDERS, atErpWhenKilled, sender.retried.get(), atErp, atCrm, erpKeysTwice, crmKeysTwice);
        assertTrue(atErpWhenKilled < ORDERS, "killed mid-stream: " + atErpWhenKilled + " of " + ORDERS + " at the ERP");
        assertTrue(atErp.lost().isEmpty() && atErp.duplicateEffects().isEmpty(), atErp::toString);
        assertTrue(atCrm.lost().isEmpty() && atCrm.duplicateEffects().isEmpty(), atCrm::toString);
        assertEquals(0, erpKeysTwice + crmKeysTwice, "copies accepted under more than one message id: duplicate effects");
        assertEquals(ORDERS, erp.applied().size(), "exactly the published orders reached the ERP");
        assertEquals(ORDERS, crm.applied().size(), "exactly the published orders reached the CRM");
    }

    /** Asks until the answer is there and {@code done}; returns it. */
    private static JsonNode await(java.util.function.Supplier<JsonNode> probe, java.util.function.Predicate<JsonNode> done, String what) {
        java.util.concurrent.atomic.AtomicReference<JsonNode> last = new java.util.concurrent.atomic.AtomicReference<>();
        Await.until(Duration.ofSeconds(30), () -> {
            last.set(probe.get());
            return last.get() != null && done.test(last.get());
        }, () -> what + "; last answer: " + last.get());
        return last.get();
    }

    private Path config(RecordingTarget erp, RecordingTarget crm) throws Exception {
        OrderChannelExample.copyTo(dir);
        String retry = "resilience { circuit-breaker.enabled = false, retry { max-attempts = 10000, min-backoff = 50ms, max-backoff = 1s } }";
        Path config = dir.resolve("junction.conf");
        Files.writeString(config, """
            junction {
              inbox.partitions = 4
              systems {
                webshop { connector = http }
                erp { connector = http, base-url = "%s", %s }
                crm { connector = http, base-url = "%s", %s }
              }
              channels { orders { schema = "canonical/order.v1.schema.json" } }
              integrations {
                webshop-orders {
                  source { system = webshop, webhook { path = "webshop/orders" } }
                  steps = [
                    { validate { schema = "schemas/webshop-order.schema.json" } }
                    { map { mapping = "mappings/webshop-to-canonical.jslt", version = 1 } }
                  ]
                  targets = [ { channel = orders } ]
                }
                orders-to-erp {
                  source { channel = orders }
                  steps = [ { map { mapping = "mappings/canonical-to-erp.jslt", version = 1 } } ]
                  targets = [ { system = erp, http { path = "/erp/sales-orders" } } ]
                }
                orders-to-crm {
                  source { channel = orders }
                  steps = [ { map { mapping = "mappings/canonical-to-crm.jslt", version = 1 } } ]
                  targets = [ { system = crm, http { path = "/crm/activities" } } ]
                }
              }
            }
            """.formatted(erp.baseUrl(), retry, crm.baseUrl(), retry));
        return config;
    }

    /** Publishes as a web shop in front of two nodes: each order to one node, and to the other when that one fails or is busy. */
    private static final class Sender implements AutoCloseable {
        private final List<String> nodes;
        private final ExecutorService pool = Executors.newFixedThreadPool(4);
        private final ExecutorService waiter = Executors.newSingleThreadExecutor();
        final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        final AtomicInteger retried = new AtomicInteger();

        Sender(List<String> nodes) {
            this.nodes = nodes;
        }

        Future<?> send(List<String> keys) {
            return waiter.submit(() -> {
                List<Future<?>> all = new ArrayList<>();
                for (int i = 0; i < keys.size(); i++) {
                    int n = i;
                    all.add(pool.submit(() -> post(keys.get(n), n)));
                }
                for (Future<?> f : all) {
                    f.get();
                }
                return null;
            });
        }

        private void post(String key, int n) {
            for (int attempt = 0; attempt < 200; attempt++) {
                String node = nodes.get((n + attempt) % nodes.size());
                int status;
                try {
                    status = CLIENT.send(HttpRequest.newBuilder(URI.create(node)).timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json").header("Idempotency-Key", key)
                            .POST(HttpRequest.BodyPublishers.ofString(TestConfig.order(key))).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                } catch (Exception e) {
                    status = -1;
                }
                if (status >= 200 && status < 300) {
                    acknowledged.put(key, status);
                    return;
                }
                if (status != 503 && status != -1) {
                    throw new IllegalStateException(key + " answered " + status);
                }
                if (attempt == 0) {
                    retried.incrementAndGet();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        List<String> unanswered(List<String> keys) {
            return keys.stream().filter(k -> !acknowledged.containsKey(k)).limit(5).toList();
        }

        @Override
        public void close() {
            pool.shutdownNow();
            waiter.shutdownNow();
        }
    }

    private static JsonNode get(String url) {
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static int upMembers(String url) {
        JsonNode found = get(url);
        if (found == null) {
            return -1;
        }
        int n = 0;
        for (JsonNode member : found.path("members")) {
            n += member.path("status").asText().equals("Up") ? 1 : 0;
        }
        return n;
    }

    private Map<String, String> env(PostgresDatabase journal, int seed, int own) throws Exception {
        Map<String, String> env = new HashMap<>(LocalCluster.nodeEnv(journal, seed, own));
        env.put("JUNCTION_MGMT_PORT", String.valueOf(LocalCluster.freePort()));
        env.put("JUNCTION_DATA_DIR", dir.resolve("data-" + own).toString());
        return env;
    }

    /** The environment of a node started again: the same ports and data directory, a new seed. */
    private Map<String, String> env(PostgresDatabase journal, int seed, int own, Map<String, String> before) {
        Map<String, String> env = new HashMap<>(LocalCluster.nodeEnv(journal, seed, own));
        env.put("JUNCTION_MGMT_PORT", before.get("JUNCTION_MGMT_PORT"));
        env.put("JUNCTION_DATA_DIR", before.get("JUNCTION_DATA_DIR"));
        return env;
    }
}
