package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.testkit.LocalMosquitto;
import dev.junction.server.testing.TestConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chaos} drives mqtt sources on a Mosquitto of the test's own (the mqtt plugin, from its folder): each message is
 * published to a topic of the run's own, taken under a session of the run's own, found accepted by its key (a user property,
 * or in the body), delivered once; a message published again is answered as a duplicate with one effect. The user's session
 * (the source's own client id) keeps the message waiting for it, and nothing is published under the user's topic.
 */
class ChaosMqttIT {
    @TempDir
    Path dir;

    @Test
    void anMqttSourceIsDrivenThroughATopicOfTheRunsOwn() throws Exception {
        try (LocalMosquitto broker = LocalMosquitto.start(dir.resolve("broker"))) {
            // the user's session (the client id the source would use), subscribed to their topic, with a message waiting
            MqttClient user = new MqttClient(broker.uri(), "junction-headed-orders", new MemoryPersistence());
            user.connect(session(true));
            user.subscribe("shop/orders/#", 1);
            user.disconnect();
            // and an observer of everything under the user's topic
            List<String> seen = new CopyOnWriteArrayList<>();
            MqttClient observer = new MqttClient(broker.uri(), "observer", new MemoryPersistence());
            observer.setCallback(new Arrivals((topic, body) -> seen.add(topic)));
            observer.connect(new MqttConnectionOptions());
            observer.subscribe("shop/#", 1);
            observer.publish("shop/orders/created", new MqttMessage(TestConfig.order("REAL-1").getBytes(StandardCharsets.UTF_8), 1,
                    false, new MqttProperties()));

            Path conf = TestConfig.write(dir.resolve("conf"), """
                    junction {
                      systems {
                        plant { connector = mqtt, uri = "%s" }
                        erp { connector = http, base-url = "http://127.0.0.1:1" }
                      }
                      integrations {
                        headed-orders {
                          source { system = plant, mqtt { topic = "shop/orders/#", idempotency-key = "header:order-key" } }
                          steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                          targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                        }
                        shared-orders {
                          source { system = plant, mqtt { topic = "shop/+/orders", shared-group = shop, idempotency-key = "json:/id" } }
                          steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                          targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                        }
                      }
                    }""".formatted(broker.uri()));
            Path report = dir.resolve("report.json");
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            int code = ChaosCommand.run(List.of(conf.toString(), "--scenario", "baseline,duplicates", "--rate", "20/s", "--duration", "1s",
                            "--settle", "20s", "--report", report.toString()),
                    Map.of("JUNCTION_PLUGINS_DIR", pluginDirectory().toString()),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                    InProcessNode.STARTER);
            String printed = out.toString(StandardCharsets.UTF_8);

            assertEquals(0, code, printed);
            assertTrue(printed.contains("source of headed-orders: messages published to the run's topic chaos-"), printed);
            ChaosReports.assertTwoIntegrationsDrivenCleanly(report, printed);

            assertEquals(List.of("shop/orders/created"), seen, "chaos published under the user's topic");
            List<String> waiting = new CopyOnWriteArrayList<>();
            user.setCallback(new Arrivals((topic, body) -> waiting.add(body)));
            user.connect(session(false));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waiting.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertEquals(List.of(TestConfig.order("REAL-1")), waiting, "chaos took the message waiting in the user's session");
            user.disconnect();
            observer.disconnect();
        }
    }

    /** Hands each arriving message's topic and body on; Paho's subscribe with a listener recurses for ever. */
    private record Arrivals(java.util.function.BiConsumer<String, String> to) implements org.eclipse.paho.mqttv5.client.MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage m) {
            to.accept(topic, new String(m.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {}

        @Override
        public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {}

        @Override
        public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) {}

        @Override
        public void connectComplete(boolean reconnect, String uri) {}

        @Override
        public void authPacketArrived(int reason, MqttProperties p) {}
    }

    private static MqttConnectionOptions session(boolean cleanStart) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(cleanStart);
        options.setSessionExpiryInterval(600L);
        return options;
    }

    static Path pluginDirectory() {
        Path dir = Path.of(System.getProperty("test.mqtt.plugin.dir", "../connectors/mqtt/target/plugin")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("mqtt"))) {
            throw new IllegalStateException("the mqtt plugin is not built at " + dir + ": mvn -pl connectors/mqtt -am package first");
        }
        return dir;
    }
}
