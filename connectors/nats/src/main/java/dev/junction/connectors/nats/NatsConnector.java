package dev.junction.connectors.nats;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SourceFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code nats} connector: a system is one NATS server (or cluster) with JetStream, reached by URL. Integrations consume a
 * stream through a durable pull consumer ({@code nats { stream = ..., consumer = ... }} source) and publish to a subject a
 * stream captures (target). Each source and each sink has a connection of its own.
 *
 * <p>Lifecycle: found by {@link java.util.ServiceLoader} in its plugin, created once, asked for its specs while the
 * configuration is validated; it opens nothing itself.
 */
public final class NatsConnector implements Connector {

    static final ConfigField URL = ConfigField.string("url").required()
            .description("The server: nats://host:4222, tls://host:4222, or several separated by commas. Credentials may go "
                    + "in the URL (nats://user:password@host:4222); put it in an environment variable then: url = ${?NATS_URL}.")
            .example("nats://127.0.0.1:4222")
            .check((String u) -> java.util.Arrays.stream(u.split(",")).allMatch(NatsSystem::isValidUrl),
                    "must be nats:// or tls:// URLs separated by commas");

    static final ConfigField CONNECTION_TIMEOUT = ConfigField.duration("connection-timeout").defaultValue("5s")
            .description("How long opening a connection may take.")
            .check((Duration d) -> d.toMillis() > 0, "must be positive");

    static final ConfigField RECONNECT_WAIT = ConfigField.duration("reconnect-wait").defaultValue("1s")
            .description("Wait between attempts to reconnect after a lost connection (the client reconnects for ever).")
            .check((Duration d) -> d.toMillis() >= 10, "must be at least 10ms");

    static final ConfigSpec SYSTEM_SPEC = ConfigSpec.of("A NATS server with JetStream.", URL, CONNECTION_TIMEOUT, RECONNECT_WAIT);

    private final NatsSourceFactory source = new NatsSourceFactory();
    private final NatsSinkFactory sink = new NatsSinkFactory();

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public ConfigSpec systemSpec() {
        return SYSTEM_SPEC;
    }

    @Override
    public Map<String, SourceFactory> sources() {
        return Map.of("nats", source);
    }

    @Override
    public Optional<SinkFactory> sink() {
        return Optional.of(sink);
    }
}
