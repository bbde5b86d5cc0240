package dev.junction.connectors.jdbc;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SourceFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code jdbc} connector: a system is one PostgreSQL or MariaDB database, reached by JDBC URL. Integrations relay a
 * transactional outbox table ({@code outbox { ... }} source) and write rows ({@code jdbc { ... }} target). Each source and
 * each sink has a small connection pool of its own.
 *
 * <p>Lifecycle: found by {@link java.util.ServiceLoader} in its plugin, created once, asked for its specs while the
 * configuration is validated; it opens nothing itself.
 */
public final class JdbcConnector implements Connector {

    static final ConfigField URL = ConfigField.string("url").required()
            .description("The database: jdbc:postgresql://host:5432/db or jdbc:mariadb://host:3306/db, with driver parameters "
                    + "after '?' if needed.")
            .example("jdbc:postgresql://127.0.0.1:5432/orders")
            .check((String u) -> u.startsWith("jdbc:postgresql://") || u.startsWith("jdbc:mariadb://"),
                    "must be a jdbc:postgresql:// or jdbc:mariadb:// URL");

    static final ConfigField USER = ConfigField.string("user").defaultValue("")
            .description("The database user; empty: the driver's default.")
            .example("junction");

    static final ConfigField PASSWORD = ConfigField.string("password").defaultValue("")
            .description("The user's password. Keep it out of the file: password = ${?ORDERS_DB_PASSWORD}.");

    static final ConfigField POOL_SIZE = ConfigField.integer("pool-size").defaultValue(4)
            .description("Connections each source and each target of this system may hold at once. A target waiting longer "
                    + "than connection-timeout for one is throttled (back-pressure), not failed.")
            .check((Integer n) -> n >= 1 && n <= 100, "must be from 1 to 100");

    static final ConfigField CONNECTION_TIMEOUT = ConfigField.duration("connection-timeout").defaultValue("5s")
            .description("How long opening a connection, or waiting for one from the pool, may take.")
            .check((Duration d) -> d.toMillis() >= 250, "must be at least 250ms");

    static final ConfigField QUERY_TIMEOUT = ConfigField.duration("query-timeout").defaultValue("30s")
            .description("How long one statement may run before it is cancelled (and the attempt retried); 0s: no limit.")
            .check((Duration d) -> !d.isNegative(), "must not be negative");

    static final ConfigSpec SYSTEM_SPEC = ConfigSpec.of("A PostgreSQL or MariaDB database.", URL, USER, PASSWORD, POOL_SIZE,
            CONNECTION_TIMEOUT, QUERY_TIMEOUT);

    private final OutboxSourceFactory outbox = new OutboxSourceFactory();
    private final CdcSourceFactory cdc = new CdcSourceFactory();
    private final JdbcSinkFactory sink = new JdbcSinkFactory();

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public ConfigSpec systemSpec() {
        return SYSTEM_SPEC;
    }

    @Override
    public Map<String, SourceFactory> sources() {
        return Map.of("outbox", outbox, "cdc", cdc);
    }

    @Override
    public Optional<SinkFactory> sink() {
        return Optional.of(sink);
    }
}
