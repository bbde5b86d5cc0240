package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.testkit.LocalMosquitto;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 orders are published with QoS 1 to an MQTT topic at 1,000/s; the server (the jar, with the mqtt plugin from its
 * plugin folder) subscribes in a persistent session and delivers into an HTTP target that counts effects per key and per
 * Junction message id; it is killed with SIGKILL mid-way (messages in flight not acknowledged, more published while it is
 * down, queued by the broker for its session) and started again. Every message reaches the target, none is lost, none has
 * two effects, and the broker received exactly one PUBACK per message from the server's session: nothing is left
 * unacknowledged, and nothing was acknowledged twice.
 */
class MqttCrashIT {
    private static final int MESSAGES = 10_000;
    private static final String TOPIC = "plant/7/orders";
    private static final String CLIENT_ID = "junction-orders-from-mqtt";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the server's and the broker's logs stay when it fails
    Path dir;

    @Test
    void aKilledServerLosesNothingFromTheTopicAndAppliesNothingTwice() throws Exception {
        try (LocalMosquitto broker = LocalMosquitto.start(dir.resolve("broker")); RecordingTarget target = new RecordingTarget(32)) {
            List<String> keys = IntStream.range(0, MESSAGES).mapToObj(i -> "order-" + i).toList();
            Path config = TestConfig.write(dir, """
                junction {
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
                      source { system = plant, mqtt { topic = "plant/+/orders", idempotency-key = "json:/id", receive-maximum = 256 } }
                      targets = [ { system = erp, http { path = "/erp/orders" } } ]
                    }
                  }
                }
                """.formatted(broker.uri(), target.baseUrl()));
            Map<String, String> env = Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString(),
                    "JUNCTION_PLUGINS_DIR", pluginDirectory().toString());
            int port = ServerProcess.freePort();
            Path log = dir.resolve("server.log");

            AtomicInteger published = new AtomicInteger();
            int appliedAtKill;
            int publishedAtKill;
            CompletableFuture<Void> publishing;
            try (ServerProcess first = ServerProcess.start(config, port, env, log)) {
                broker.awaitSubscription(CLIENT_ID, Duration.ofSeconds(60));
                publishing = CompletableFuture.runAsync(() -> publishSlowly(broker, keys, published));
                CompletableFuture<Void> watched = publishing;
                Await.until(Duration.ofSeconds(120), () -> {
                    if (watched.isCompletedExceptionally()) {
                        watched.join(); // throws why publishing failed
                    }
                    return published.get() >= MESSAGES * 4 / 10 && target.applied().size() >= 100;
                }, () -> published.get() + " published, " + target.applied().size() + " delivered; see " + log);
                first.kill();
                appliedAtKill = target.applied().size();
                publishedAtKill = published.get();
            }
            long acknowledgedAtKill = broker.acknowledgedBy(CLIENT_ID);
            assertTrue(appliedAtKill < MESSAGES && acknowledgedAtKill < MESSAGES,
                    "killed mid-way: " + appliedAtKill + " applied, " + acknowledgedAtKill + " acknowledged");

            try (ServerProcess second = ServerProcess.start(config, port, env, log)) {
                publishing.join();
                Await.until(Duration.ofSeconds(180), () -> target.applied().size() == MESSAGES,
                        () -> (MESSAGES - target.applied().size()) + " messages never reached the target; see " + log);
                Await.until(Duration.ofSeconds(60), () -> acknowledged(broker) >= MESSAGES,
                        () -> (MESSAGES - acknowledged(broker)) + " messages not acknowledged to the broker");
                Thread.sleep(1000); // an acknowledgement too many would come now
            }

            assertEquals(Set.copyOf(keys), target.applied(), "every message of the topic reached the target: 0 lost");
            List<String> twice = keys.stream().filter(k -> target.messageIds(k).size() != 1).toList();
            assertEquals(List.of(), twice.stream().limit(10).toList(),
                    twice.size() + " keys arrived under more than one message id: duplicate effects");
            assertEquals(MESSAGES, acknowledged(broker), "one PUBACK per message: none left unacknowledged, none acknowledged twice");
            long redelivered = keys.stream().filter(k -> target.successes(k) > 1).count();
            System.out.printf("mqtt crash test: killed with %d of %d published, %d applied, %d acknowledged; 0 lost, 0 duplicate"
                    + " effects, %d PUBACKs in all, %d keys delivered again after the restart (same message id: harmless)%n",
                    publishedAtKill, MESSAGES, appliedAtKill, acknowledgedAtKill, acknowledged(broker), redelivered);
        }
    }

    /** The directory holding the mqtt plugin folder (set by the build), checked to exist. */
    static Path pluginDirectory() {
        Path dir = Path.of(System.getProperty("test.mqtt.plugin.dir", "../connectors/mqtt/target/plugin")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("mqtt"))) {
            throw new IllegalStateException("the mqtt plugin is not built at " + dir + ": run the whole build (mvn verify), or "
                    + "mvn -pl connectors/mqtt -am package first");
        }
        return dir;
    }

    /** 100 messages every 100 ms, QoS 1: the server consumes while they arrive, and more arrive while it is down. */
    private static void publishSlowly(LocalMosquitto broker, List<String> keys, AtomicInteger published) {
        try {
            MqttClient publisher = new MqttClient(broker.uri(), "crash-test-publisher", new MemoryPersistence());
            publisher.connect(new MqttConnectionOptions());
            try {
                for (int from = 0; from < keys.size(); from += 100) {
                    long started = System.nanoTime();
                    for (String k : keys.subList(from, Math.min(keys.size(), from + 100))) {
                        MqttMessage message = new MqttMessage(("{\"id\":\"" + k + "\",\"total\":52.0}").getBytes(StandardCharsets.UTF_8),
                                1, false, new org.eclipse.paho.mqttv5.common.packet.MqttProperties());
                        while (true) {
                            try {
                                publisher.publish(TOPIC, message);
                                break;
                            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                                    throw e;
                                }
                                Thread.sleep(5); // the broker's receive maximum is reached: wait for its acknowledgements
                            }
                        }
                    }
                    published.set(Math.min(keys.size(), from + 100));
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

    private static long acknowledged(LocalMosquitto broker) {
        try {
            return broker.acknowledgedBy(CLIENT_ID);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
