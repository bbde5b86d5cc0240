package dev.junction.server.chaos;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * Plays an {@code mqtt} source's publisher: the source subscribes, under a client id (a broker session) of the run's own
 * ({@code junction-chaos-<run>-<n>} for the run's n-th mqtt integration, no shared group), to a topic of the run's own
 * ({@code chaos-<run>/<n>}, at the root, so no filter under the user's topic sees it). The run's session and its subscription
 * are made before the node starts, so the broker keeps what is published before the source connects. Each message is published
 * there with QoS 1, its key as the user property its rule names (or in the body). The user's topic and session are never
 * subscribed to, published to or resumed; the run's sessions are ended on {@link #close}.
 */
final class MqttTopic implements Feed {
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    /** The publisher by broker URI. */
    private final Map<String, MqttClient> publishers = new ConcurrentHashMap<>();
    /** Each integration's number in the run, and its broker's URI. */
    private final Map<String, Integer> numbers = new ConcurrentHashMap<>();
    private final Map<String, Driven> opened = new ConcurrentHashMap<>();

    private int number(Driven d) {
        return numbers.computeIfAbsent(d.integration(), i -> numbers.size() + 1);
    }

    private String topic(Driven d) {
        return "chaos-" + run + "/" + number(d);
    }

    private String clientId(Driven d) {
        return "junction-chaos-" + run + "-" + number(d);
    }

    private static MqttConnectionOptions options(Driven d, boolean cleanStart, long sessionExpirySeconds) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(cleanStart);
        options.setSessionExpiryInterval(sessionExpirySeconds);
        options.setConnectionTimeout(10);
        if (!d.system().getString("username").isEmpty()) {
            options.setUserName(d.system().getString("username"));
        }
        if (!d.system().getString("password").isEmpty()) {
            options.setPassword(d.system().getString("password").getBytes(StandardCharsets.UTF_8));
        }
        return options;
    }

    /**
     * Makes the run's session for {@code d} (subscribed to the run's topic, kept for 5 minutes while nobody is connected) and
     * connects the broker's publisher (one per broker).
     */
    @Override
    public void open(Driven d) throws UsageException {
        String uri = d.system().getString("uri");
        try {
            MqttClient session = new MqttClient(uri, clientId(d), new MemoryPersistence());
            session.connect(options(d, true, 300));
            session.subscribe(topic(d), 1);
            session.disconnect();
            session.close();
            opened.put(d.integration(), d);
            if (!publishers.containsKey(uri)) {
                MqttClient publisher = new MqttClient(uri, "junction-chaos-" + run + "-publisher", new MemoryPersistence());
                publisher.connect(options(d, true, 0));
                publishers.put(uri, publisher);
            }
        } catch (Exception e) {
            throw new UsageException("integration " + d.integration() + ": cannot subscribe the run's session to " + topic(d)
                    + " on its MQTT broker: " + e.getMessage());
        }
    }

    @Override
    public Config adjust(Config all, Driven d) {
        String at = "junction.integrations." + ConfigUtil.joinPath(d.integration()) + ".source.mqtt";
        return all.withValue(at + ".topic", ConfigValueFactory.fromAnyRef(topic(d)))
                .withValue(at + ".shared-group", ConfigValueFactory.fromAnyRef(""))
                .withValue(at + ".client-id", ConfigValueFactory.fromAnyRef(clientId(d)))
                .withValue(at + ".session-expiry", ConfigValueFactory.fromAnyRef("5m"));
    }

    @Override
    public CompletableFuture<Sent> put(Driven d, Inputs.Message message, String kind) {
        long sentAt = System.currentTimeMillis();
        String where = "a message on the run's topic " + topic(d);
        MqttProperties properties = new MqttProperties();
        properties.setContentType("application/json");
        if (message.header() != null) {
            properties.setUserProperties(List.of(new UserProperty(message.header(), message.key())));
        }
        MqttClient publisher = publishers.get(d.system().getString("uri"));
        try {
            synchronized (publisher) {
                publisher.publish(topic(d), new MqttMessage(message.body().toString().getBytes(StandardCharsets.UTF_8), 1, false,
                        properties));
            }
            return CompletableFuture.completedFuture(Feed.putIn(d, message, kind, sentAt, where));
        } catch (Exception e) {
            return CompletableFuture.completedFuture(Feed.notPutIn(d, message, kind, sentAt, where, e));
        }
    }

    @Override
    public String describe(Driven d) {
        return "messages published to the run's topic " + topic(d) + " under the run's session " + clientId(d)
                + " (ended after the run; topic " + d.source().getString("topic") + " is not subscribed to)";
    }

    /** Ends each run's session (a clean start that expires at once) and disconnects the publishers. */
    @Override
    public void close() {
        for (Driven d : opened.values()) {
            try {
                MqttClient session = new MqttClient(d.system().getString("uri"), clientId(d), new MemoryPersistence());
                session.connect(options(d, true, 0));
                session.disconnect();
                session.close();
            } catch (Exception ignored) {
                // the broker is gone: the session, named after the run, expires 5 minutes after the source left
            }
        }
        for (MqttClient c : List.copyOf(publishers.values())) {
            try {
                c.disconnect();
                c.close();
            } catch (Exception ignored) {
                // closing at the end of the run: nothing left to report it to
            }
        }
    }
}
