package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.testkit.LocalMosquitto;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.LocalCluster;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Junction nodes (JVMs, one PostgreSQL journal) consume one MQTT topic through a shared subscription
 * ({@code shared-group}: every node subscribes to {@code $share/<group>/<topic>} under a client id of its own, in a persistent
 * session); 6,000 QoS 1 orders are published at 1,000/s and the node that is not the oldest is SIGKILLed mid-stream.
 *
 * <p>What Mosquitto 2.0 does then, and what this test holds it to: it does not hand the dead member's share to the survivor.
 * The dead node's session outlives its connection (that is what a persistent session is), so the broker keeps the messages
 * it had sent there unacknowledged and goes on giving that session its turn of the new ones, queued for it; only the
 * messages of the survivor's turn reach the target while the node is down. (When the session expires those messages are
 * dropped, not given to another member: see docs/connectors.md.) The node is started again under the same address, so the
 * same client id, resumes its session, and receives them. In the end every order reached the target once per key and under
 * one message id, and the broker received exactly one PUBACK per order from the two nodes' sessions.
 */
class MqttClusterIT {
    private static final int MESSAGES = 6_000;
    private static final String TOPIC = "plant/7/orders";
    private static final String CLIENT_PREFIX = "junction-orders-from-mqtt-";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' and the broker's logs stay when it fails
    Path dir;

    @Test
    void aKilledNodesShareWaitsInItsSessionAndReachesTheTargetOnceWhenItReturns() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create();
             LocalMosquitto broker = LocalMosquitto.start(dir.resolve("broker"));
             RecordingTarget target = new RecordingTarget(32)) {
            run(db, broker, target);
        }
    }

    private void run(PostgresDatabase db, LocalMosquitto broker, RecordingTarget target) throws Exception {
        Path config = TestConfig.write(dir, """
            junction {
              inbox.partitions = 8
              systems {
                plant { connector = mqtt, uri = "%s", reconnect-delay = 200ms }
                erp {
                  connector = http
                  base-url = "%s"
                  resilience { max-in-flight = 32, retry { max-attempts = 50, min-backoff = 50ms, max-backoff = 1s } }
                }
              }
              integrations {
                orders-from-mqtt {
                  source {
                    system = plant
                    mqtt { topic = "plant/+/orders", shared-group = junction, idempotency-key = "json:/id", receive-maximum = 64 }
                  }
                  targets = [ { system = erp, http { path = "/erp/orders" } } ]
                }
              }
            }
            """.formatted(broker.uri(), target.baseUrl()));
        int oldest = LocalCluster.freePort();
        int other = LocalCluster.freePort();
        if (other < oldest) { // keep-majority keeps the half with the lowest address when two halves are equal
            int t = oldest;
            oldest = other;
            other = t;
        }
        String survivor = CLIENT_PREFIX + "127.0.0.1-" + oldest;
        String killed = CLIENT_PREFIX + "127.0.0.1-" + other;
        List<String> jvm = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        List<String> orders = IntStream.range(0, MESSAGES).mapToObj(i -> "order-" + i).toList();
        Map<String, String> envOfKilled = env(db, oldest, other);
        AtomicInteger published = new AtomicInteger();
        int appliedAtKill;
        int publishedAtKill;
        int appliedWhileDown;
        try (ServerProcess a = ServerProcess.start(config, ServerProcess.freePort(), env(db, oldest, oldest), dir.resolve("a.log"), jvm)) {
            try (ServerProcess b = ServerProcess.start(config, ServerProcess.freePort(), envOfKilled, dir.resolve("b.log"), jvm)) {
                broker.awaitSubscription(survivor, Duration.ofSeconds(60));
                broker.awaitSubscription(killed, Duration.ofSeconds(60));
                CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publishSlowly(broker, orders, published));
                Await.until(Duration.ofSeconds(60), () -> {
                    if (publishing.isCompletedExceptionally()) {
                        publishing.join(); // throws why publishing failed
                    }
                    return target.applied().size() >= MESSAGES / 5;
                }, () -> published.get() + " published, " + target.applied().size() + " delivered; see " + dir);
                b.kill();
                appliedAtKill = target.applied().size();
                publishedAtKill = published.get();
                publishing.join();
            }
            assertTrue(publishedAtKill < MESSAGES, "killed mid-stream: " + publishedAtKill + " of " + MESSAGES + " published");

            // The survivor consumes its share: everything the broker sent it is acknowledged (after the cluster moved the
            // killed node's inbox partitions to it), and delivered.
            Await.until(Duration.ofSeconds(60), () -> count(() -> broker.acknowledgedBy(survivor)) == count(() -> broker.sentTo(survivor)),
                    () -> (count(() -> broker.sentTo(survivor)) - count(() -> broker.acknowledgedBy(survivor)))
                            + " messages the survivor never acknowledged; see " + dir);
            awaitSettled(target);
            appliedWhileDown = target.applied().size();
            assertTrue(appliedWhileDown - appliedAtKill >= (MESSAGES - publishedAtKill) / 3,
                    "the survivor went on consuming: " + appliedAtKill + " delivered at the kill, " + appliedWhileDown + " now");
            assertTrue(appliedWhileDown < MESSAGES, "Mosquitto gave the survivor the dead member's share; docs/connectors.md says "
                    + "it waits in the dead node's session: check which is true");

            // The killed node comes back under the same address, so the same client id: it resumes its session.
            try (ServerProcess b = ServerProcess.start(config, ServerProcess.freePort(), envOfKilled, dir.resolve("b.log"), jvm)) {
                Await.until(Duration.ofSeconds(60), () -> target.applied().size() >= MESSAGES,
                        () -> (MESSAGES - target.applied().size()) + " orders never reached the target; see " + dir);
                Await.until(Duration.ofSeconds(30), () -> count(() -> broker.acknowledgedBy(CLIENT_PREFIX)) >= MESSAGES,
                        () -> (MESSAGES - count(() -> broker.acknowledgedBy(CLIENT_PREFIX))) + " orders not acknowledged to the broker");
                Thread.sleep(1000); // an acknowledgement too many would come now
            }
        }

        Set<String> keys = Set.copyOf(orders);
        long lost = orders.stream().filter(k -> !target.applied().contains(k)).count();
        long keysTwice = orders.stream().filter(k -> target.messageIds(k).size() > 1).count();
        Map<String, Set<String>> keysOfMessageId = new HashMap<>();
        for (String k : target.applied()) {
            for (String id : target.messageIds(k)) {
                keysOfMessageId.computeIfAbsent(id, x -> new HashSet<>()).add(k);
            }
        }
        long idsOfSeveralKeys = keysOfMessageId.values().stream().filter(ks -> ks.size() > 1).count();
        long acknowledged = count(() -> broker.acknowledgedBy(CLIENT_PREFIX));
        long sentAgain = resentTo(killed);
        System.out.printf("mqtt cluster test: node killed with %d of %d published, %d delivered; %d delivered while it was down "
                + "(the rest waited in its session); %d lost, %d keys under more than one message id, %d message ids for %d orders, "
                + "%d message ids under more than one key; %d PUBACKs (%d from the survivor); %d PUBLISHes of messages the killed node "
                + "had not acknowledged sent again (d1) to it after its restart; %d keys delivered again%n",
                publishedAtKill, MESSAGES, appliedAtKill, appliedWhileDown, lost, keysTwice, keysOfMessageId.size(), MESSAGES,
                idsOfSeveralKeys, acknowledged, count(() -> broker.acknowledgedBy(survivor)), sentAgain,
                orders.stream().filter(k -> target.successes(k) > 1).count());
        assertEquals(0, lost, "orders that never reached the target");
        assertEquals(0, keysTwice, "orders accepted under more than one message id: duplicate effects");
        assertEquals(MESSAGES, keysOfMessageId.size(), "one message id per order");
        assertEquals(0, idsOfSeveralKeys, "message ids carrying more than one order");
        assertEquals(keys, target.applied(), "exactly the published orders reached the target");
        assertEquals(MESSAGES, acknowledged, "one PUBACK per order: none left unacknowledged, none acknowledged twice");
    }

    private Map<String, String> env(PostgresDatabase db, int seed, int own) throws Exception {
        Map<String, String> env = new HashMap<>(LocalCluster.nodeEnv(db, seed, own));
        env.put("JUNCTION_PLUGINS_DIR", MqttCrashIT.pluginDirectory().toString());
        env.put("JUNCTION_MGMT_PORT", String.valueOf(LocalCluster.freePort()));
        env.put("JUNCTION_DATA_DIR", dir.resolve("data-" + own).toString());
        return env;
    }

    /** PUBLISH packets the broker sent again (flagged as a resend: after a reconnect) to {@code clientId}, from its log. */
    private long resentTo(String clientId) throws java.io.IOException {
        String resend = "Sending PUBLISH to " + clientId + " (d1,";
        try (var lines = java.nio.file.Files.lines(dir.resolve("broker").resolve("broker.log"), StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(resend)).count();
        }
    }

    /** Waits until the target has received nothing new for 2 s: what the cluster holds durably has been delivered. */
    private static void awaitSettled(RecordingTarget target) throws InterruptedException {
        int before = -1;
        int now = target.totalRequests();
        while (now != before) {
            Thread.sleep(2000);
            before = now;
            now = target.totalRequests();
        }
    }

    private interface Count {
        long get() throws java.io.IOException;
    }

    private static long count(Count count) {
        try {
            return count.get();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 100 orders every 100 ms, QoS 1, each acknowledged by the broker (it holds them for the sessions from then on). */
    private static void publishSlowly(LocalMosquitto broker, List<String> orders, AtomicInteger published) {
        try {
            MqttClient publisher = new MqttClient(broker.uri(), "cluster-test-publisher", new MemoryPersistence());
            publisher.connect(new MqttConnectionOptions());
            try {
                for (int from = 0; from < orders.size(); from += 100) {
                    long started = System.nanoTime();
                    for (String k : orders.subList(from, Math.min(orders.size(), from + 100))) {
                        MqttMessage message = new MqttMessage(("{\"id\":\"" + k + "\",\"total\":52.0}").getBytes(StandardCharsets.UTF_8),
                                1, false, new MqttProperties());
                        while (true) {
                            try {
                                publisher.publish(TOPIC, message);
                                break;
                            } catch (MqttException e) {
                                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                                    throw e;
                                }
                                Thread.sleep(5); // the broker's receive maximum is reached: wait for its acknowledgements
                            }
                        }
                    }
                    published.set(Math.min(orders.size(), from + 100));
                    Thread.sleep(Math.max(0, 100 - (System.nanoTime() - started) / 1_000_000));
                }
            } finally {
                publisher.disconnect();
                publisher.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("publishing failed", e);
        }
    }
}
