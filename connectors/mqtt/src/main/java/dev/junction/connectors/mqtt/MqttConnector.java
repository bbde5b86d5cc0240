package dev.junction.connectors.mqtt;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SourceFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code mqtt} connector: a system is one MQTT broker, reached by URI and spoken to in MQTT 5 (devices publishing to it
 * in MQTT 3.1.1 are fine: the broker translates). Integrations subscribe to a topic filter ({@code mqtt { topic = ... }}
 * source) and publish to a topic (target). Each source and each sink has a client of its own.
 *
 * <p>Lifecycle: found by {@link java.util.ServiceLoader} in its plugin, created once, asked for its specs while the
 * configuration is validated; it opens nothing itself.
 */
public final class MqttConnector implements Connector {

    static final ConfigField URI = ConfigField.string("uri").required()
            .description("The broker: tcp://host:port, or ssl://host:port for TLS.")
            .example("tcp://127.0.0.1:1883")
            .check((String u) -> u.startsWith("tcp://") || u.startsWith("ssl://"), "must start with tcp:// or ssl://")
            .check(MqttSystem::isValidUri, "must be a broker address such as tcp://127.0.0.1:1883");

    static final ConfigField USERNAME = ConfigField.string("username").defaultValue("")
            .description("The user name to connect with; empty: none.");

    static final ConfigField PASSWORD = ConfigField.string("password").defaultValue("")
            .description("The password to connect with; empty: none. Put it in an environment variable: password = ${?MQTT_PASSWORD}.");

    static final ConfigField KEEP_ALIVE = ConfigField.duration("keep-alive").defaultValue("30s")
            .description("MQTT keep-alive: a connection silent for one and a half times this long is taken as lost.")
            .check((Duration d) -> !d.isNegative() && d.toSeconds() <= 65_535, "must be from 0s to 65535s");

    static final ConfigField CONNECTION_TIMEOUT = ConfigField.duration("connection-timeout").defaultValue("10s")
            .description("How long opening a connection may take.")
            .check((Duration d) -> d.toSeconds() >= 1, "must be at least 1s");

    static final ConfigField RECONNECT_DELAY = ConfigField.duration("reconnect-delay").defaultValue("1s")
            .description("First wait before reconnecting after a lost connection; it doubles on each failure, up to 30s.")
            .check((Duration d) -> d.toMillis() >= 100 && d.toSeconds() <= 30, "must be from 100ms to 30s");

    static final ConfigSpec SYSTEM_SPEC = ConfigSpec.of("An MQTT broker such as Mosquitto, spoken to in MQTT 5.",
            URI, USERNAME, PASSWORD, KEEP_ALIVE, CONNECTION_TIMEOUT, RECONNECT_DELAY);

    private final MqttSourceFactory source = new MqttSourceFactory();
    private final MqttSinkFactory sink = new MqttSinkFactory();

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public ConfigSpec systemSpec() {
        return SYSTEM_SPEC;
    }

    @Override
    public Map<String, SourceFactory> sources() {
        return Map.of("mqtt", source);
    }

    @Override
    public Optional<SinkFactory> sink() {
        return Optional.of(sink);
    }
}
