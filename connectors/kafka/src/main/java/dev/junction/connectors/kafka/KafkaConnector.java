package dev.junction.connectors.kafka;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SourceFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code kafka} connector: a system is one Kafka cluster, reached through its bootstrap servers. Integrations consume
 * topics as members of a consumer group ({@code kafka { topics = [...], group-id = ... }} source) and produce to a topic
 * (target). Each source and each sink has a client of its own.
 *
 * <p>Lifecycle: found by {@link java.util.ServiceLoader} in its plugin, created once, asked for its specs while the
 * configuration is validated; it opens nothing itself.
 */
public final class KafkaConnector implements Connector {

    static final ConfigField BOOTSTRAP_SERVERS = ConfigField.string("bootstrap-servers").required()
            .description("The brokers a client first contacts, host:port separated by commas; it learns the rest of the cluster "
                    + "from them.")
            .example("127.0.0.1:9092")
            .check(KafkaSystem::isValidServers, "must be host:port pairs separated by commas");

    static final ConfigField SECURITY_PROTOCOL = ConfigField.oneOf("security-protocol", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
            .defaultValue("PLAINTEXT")
            .description("How clients talk to the brokers (Kafka's security.protocol). SSL uses the JVM's trust store.");

    static final ConfigField SASL_MECHANISM = ConfigField.oneOf("sasl-mechanism", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
            .defaultValue("PLAIN")
            .description("The SASL mechanism with SASL_PLAINTEXT or SASL_SSL, with username and password.");

    static final ConfigField USERNAME = ConfigField.string("username").defaultValue("")
            .description("The SASL user name; empty: none.");

    static final ConfigField PASSWORD = ConfigField.string("password").defaultValue("")
            .description("The SASL password. Keep it out of the file: password = ${?KAFKA_PASSWORD}.");

    static final ConfigField REQUEST_TIMEOUT = ConfigField.duration("request-timeout").defaultValue("5s")
            .description("How long a client waits for a broker's answer to one request before it tries again.")
            .check((Duration d) -> d.toMillis() >= 100, "must be at least 100ms");

    static final ConfigSpec SYSTEM_SPEC = ConfigSpec.of("An Apache Kafka cluster.", BOOTSTRAP_SERVERS, SECURITY_PROTOCOL,
            SASL_MECHANISM, USERNAME, PASSWORD, REQUEST_TIMEOUT);

    private final KafkaSourceFactory source = new KafkaSourceFactory();
    private final KafkaSinkFactory sink = new KafkaSinkFactory();

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public ConfigSpec systemSpec() {
        return SYSTEM_SPEC;
    }

    @Override
    public Map<String, SourceFactory> sources() {
        return Map.of("kafka", source);
    }

    @Override
    public Optional<SinkFactory> sink() {
        return Optional.of(sink);
    }
}
