package dev.junction.connectors.amqp;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SourceFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code amqp} connector: a system is one broker (a vhost of it), reached by URI. Integrations consume a queue
 * ({@code amqp { queue = ... }} source) and publish to an exchange (target). Each source and each sink opens a connection of its
 * own, with the client's automatic recovery.
 *
 * <p>Lifecycle: found by {@link java.util.ServiceLoader} in its plugin, created once, asked for its specs while the
 * configuration is validated; it opens nothing itself.
 */
public final class AmqpConnector implements Connector {

    static final ConfigField URI = ConfigField.string("uri").required()
            .description("The broker: amqp://user:password@host:port/vhost (the vhost URL-encoded: %2F is /), or amqps:// for TLS. "
                    + "Put the password in an environment variable: uri = ${?RABBIT_URI}.")
            .example("amqp://guest:guest@127.0.0.1:5672/%2F")
            .check((String u) -> u.startsWith("amqp://") || u.startsWith("amqps://"), "must start with amqp:// or amqps://")
            .check(AmqpSystem::isValidUri, "must be a valid AMQP URI such as amqp://user:password@host:5672/vhost");

    static final ConfigField HEARTBEAT = ConfigField.duration("heartbeat").defaultValue("30s")
            .description("AMQP heartbeat: a connection silent for twice this long is taken as lost.")
            .check((Duration d) -> !d.isNegative() && d.toSeconds() <= 600, "must be from 0s to 600s");

    static final ConfigField CONNECTION_TIMEOUT = ConfigField.duration("connection-timeout").defaultValue("10s")
            .description("How long opening a connection may take.")
            .check((Duration d) -> d.toMillis() > 0, "must be positive");

    static final ConfigField RECOVERY_INTERVAL = ConfigField.duration("recovery-interval").defaultValue("2s")
            .description("Wait between attempts to reconnect after a lost connection.")
            .check((Duration d) -> d.toMillis() > 0, "must be positive");

    static final ConfigSpec SYSTEM_SPEC = ConfigSpec.of("An AMQP 0-9-1 broker such as RabbitMQ.",
            URI, HEARTBEAT, CONNECTION_TIMEOUT, RECOVERY_INTERVAL);

    private final AmqpSourceFactory source = new AmqpSourceFactory();
    private final AmqpSinkFactory sink = new AmqpSinkFactory();

    @Override
    public String name() {
        return "amqp";
    }

    @Override
    public ConfigSpec systemSpec() {
        return SYSTEM_SPEC;
    }

    @Override
    public Map<String, SourceFactory> sources() {
        return Map.of("amqp", source);
    }

    @Override
    public Optional<SinkFactory> sink() {
        return Optional.of(sink);
    }
}
