package dev.junction.connectors.mqtt;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.testkit.BadConfig;
import dev.junction.connectors.testkit.ConnectorContract;
import dev.junction.connectors.testkit.FailureCase;
import dev.junction.connectors.testkit.LocalMosquitto;
import dev.junction.connectors.testkit.SinkFixture;
import dev.junction.connectors.testkit.SourceFixture;
import dev.junction.connectors.testkit.TcpProxy;
import dev.junction.connectors.testkit.TestMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The connector test kit on the mqtt connector, against a Mosquitto of the test's own (see {@link LocalMosquitto}: its log
 * says which messages the source acknowledged). The source reaches it through a {@link TcpProxy}, which drops the
 * connection the way a network does; the sink's "broker down" case stops the broker itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttConnectorContractIT extends ConnectorContract {
    private LocalMosquitto broker;
    private TcpProxy network;
    private Path brokerDirectory;

    @BeforeAll
    void broker() throws Exception {
        brokerDirectory = Files.createTempDirectory("mqtt-contract");
        broker = LocalMosquitto.start(brokerDirectory);
        network = new TcpProxy(broker.port());
    }

    @AfterAll
    void stopBroker() throws Exception {
        network.close();
        broker.close();
    }

    @Override
    protected Connector connector() {
        return new MqttConnector();
    }

    @Override
    protected List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.system("uri = \"amqp://127.0.0.1\"", "uri", "must start with tcp:// or ssl://"),
                BadConfig.system("keep-alive = 30s", "uri", "is required"),
                BadConfig.source("mqtt", "topic = \"a/#/b\", idempotency-key = \"json:/id\"", "topic", "must be an MQTT topic filter"),
                BadConfig.source("mqtt", "topic = a, qos = 0, idempotency-key = \"json:/id\"", "qos", "must be 1"),
                BadConfig.source("mqtt", "topic = a", "idempotency-key", "is required"),
                BadConfig.source("mqtt", "topic = a, idempotency-key = \"message-id\"", "idempotency-key", "must be header:"),
                BadConfig.source("mqtt", "topic = a, idempotency-key = \"json:/id\", shared-group = g, client-id = x", "client-id",
                        "cannot be fixed with a shared group"),
                BadConfig.target("topic = \"orders/#\"", "topic", "must be a topic name"),
                BadConfig.target("qos = 1", "topic", "is required"));
    }

    @Override
    protected SourceFixture sourceFixture() {
        return new Topic("contract/" + UUID.randomUUID() + "/orders");
    }

    @Override
    protected SinkFixture sinkFixture() throws Exception {
        return new Subscriber("sink/" + UUID.randomUUID() + "/orders");
    }

    private MqttClient client(String id) throws Exception {
        MqttClient client = new MqttClient(broker.uri(), id, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(true);
        client.connect(options);
        return client;
    }

    /** A topic the source subscribes to; what is outstanding is what was published and not yet acknowledged by the source. */
    private final class Topic implements SourceFixture {
        private final String topic;
        private final String clientId = "contract-" + UUID.randomUUID();
        private final AtomicLong published = new AtomicLong();

        Topic(String topic) {
            this.topic = topic;
        }

        @Override
        public String kind() {
            return "mqtt";
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("topic = \"" + topic + "\", idempotency-key = \"header:order-key\", client-id = \""
                    + clientId + "\", receive-maximum = 50");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("uri = \"tcp://127.0.0.1:" + network.port() + "\", reconnect-delay = 200ms,"
                    + " connection-timeout = 1s");
        }

        @Override
        public void publish(SourceInstance running, List<TestMessage> messages) throws Exception {
            broker.awaitSubscription(clientId, PATIENCE);
            MqttClient publisher = client("publisher-" + UUID.randomUUID());
            try {
                for (TestMessage m : messages) {
                    publishQos1(publisher, topic, message(m.key(), m.json()));
                    published.incrementAndGet();
                }
            } finally {
                publisher.disconnect();
                publisher.close();
            }
        }

        @Override
        public long outstanding() throws Exception {
            return published.get() - broker.acknowledgedBy(clientId);
        }

        @Override
        public boolean dropConnection(SourceInstance running) throws Exception {
            network.dropConnections();
            return true;
        }

        @Override
        public boolean hangConnection(SourceInstance running) throws Exception {
            network.hang();
            return true;
        }

        @Override
        public void answerAgain() {
            network.resume();
        }

        @Override
        public boolean publishUnusable(SourceInstance running) throws Exception {
            broker.awaitSubscription(clientId, PATIENCE);
            MqttClient publisher = client("publisher-" + UUID.randomUUID());
            try {
                publishQos1(publisher, topic, message(null, "{\"id\":\"no key property\"}"));
                published.incrementAndGet();
            } finally {
                publisher.disconnect();
                publisher.close();
            }
            return true;
        }

        @Override
        public List<String> ownThreads() {
            return List.of("MQTT");
        }
    }

    /**
     * Publishes with QoS 1, waiting while the broker's receive maximum is reached: Paho's blocking client refuses a publish
     * then ("too many publishes in progress") instead of waiting for the acknowledgements in flight.
     */
    private static void publishQos1(MqttClient publisher, String topic, MqttMessage message) throws Exception {
        while (true) {
            try {
                publisher.publish(topic, message);
                return;
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                    throw e;
                }
                Thread.sleep(5);
            }
        }
    }

    /** QoS 1, the key as the user property order-key (none when {@code key} is null). */
    private static MqttMessage message(String key, String json) {
        MqttMessage message = new MqttMessage(json.getBytes(StandardCharsets.UTF_8), 1, false, new MqttProperties());
        if (key != null) {
            message.getProperties().setUserProperties(List.of(new UserProperty("order-key", key)));
        }
        return message;
    }

    /** A subscriber to the sink's topic; the key's native place is the user property idempotency-key. */
    private final class Subscriber implements SinkFixture {
        private final String topic;
        private final MqttClient subscriber;
        private final List<Received> received = new CopyOnWriteArrayList<>();

        Subscriber(String topic) throws Exception {
            this.topic = topic;
            subscriber = client("subscriber-" + UUID.randomUUID());
            subscriber.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void messageArrived(String t, MqttMessage m) {
                    received.add(new Received(m.getProperties().getUserProperties().stream()
                            .filter(p -> p.getKey().equals("idempotency-key")).map(UserProperty::getValue).findFirst().orElse(null),
                            new String(m.getPayload(), StandardCharsets.UTF_8)));
                }

                @Override
                public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {}

                @Override
                public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {}

                @Override
                public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {}

                @Override
                public void connectComplete(boolean reconnect, String serverUri) {}

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {}
            });
            subscriber.subscribe(new String[] {topic}, new int[] {1});
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("topic = \"" + topic + "\"");
        }

        @Override
        public Config system() {
            return ConfigFactory.parseString("uri = \"" + broker.uri() + "\", connection-timeout = 2s");
        }

        @Override
        public List<Received> received() {
            return List.copyOf(received);
        }

        @Override
        public List<FailureCase> failures() {
            return List.of(
                    new FailureCase("publishing to the topic is not authorized (0x87)", FailureCase.Expected.PERMANENT,
                            () -> broker.denyPublishing(topic), broker::allowEverything),
                    new FailureCase("the broker is down", FailureCase.Expected.RETRIABLE, broker::pause, broker::resume));
        }

        @Override
        public List<String> ownThreads() {
            return List.of("MQTT");
        }

        @Override
        public void close() throws Exception {
            if (subscriber.isConnected()) {
                subscriber.disconnect();
            }
            subscriber.close();
        }
    }
}
