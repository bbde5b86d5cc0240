package dev.junction.server.config;

import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigSpec;
import java.time.Duration;

/**
 * The specs of the server's own blocks. Their defaults live in {@code reference.conf}, where every key is documented; the specs
 * check types and ranges and catch misspelt keys.
 */
final class ServerSpecs {
    private ServerSpecs() {}

    static final ConfigSpec HTTP = ConfigSpec.of("The HTTP listener.",
            ConfigField.string("interface").required(),
            ConfigField.integer("port").required().check((Integer p) -> p >= 0 && p <= 65535, "must be a port from 0 to 65535"));

    static final ConfigSpec NODE = ConfigSpec.of("This node in the cluster.",
            ConfigField.string("host").required(),
            ConfigField.integer("port").required().check((Integer p) -> p >= 0 && p <= 65535, "must be a port from 0 to 65535"),
            ConfigField.string("seed-nodes"),
            ConfigField.oneOf("discovery", "", "kubernetes-api").required(),
            ConfigField.integer("management-port").required().check((Integer p) -> p >= 0 && p <= 65535, "must be a port from 0 to 65535"));

    static final ConfigSpec PERSISTENCE = ConfigSpec.of("The journal.",
            ConfigField.string("journal").check((String j) -> j.isEmpty() || j.equals("h2") || j.equals("postgres"),
                    "must be h2 or postgres"),
            ConfigField.string("h2-directory").required(),
            ConfigField.string("url").check((String u) -> u.isEmpty() || u.startsWith("jdbc:h2:") || u.startsWith("jdbc:postgresql:"),
                    "must be a jdbc:postgresql: or jdbc:h2: URL"),
            ConfigField.string("user"),
            ConfigField.string("password"),
            ConfigField.integer("pool-size").required().check((Integer n) -> n >= 2 && n <= 500, "must be from 2 to 500"),
            ConfigField.duration("connection-timeout").required().check(ServerSpecs::positive, "must be positive"),
            ConfigField.bool("create-schema").required());

    static final ConfigSpec INBOX = ConfigSpec.of("The inbox.",
            ConfigField.integer("partitions").required().check((Integer n) -> n >= 1 && n <= 1024, "must be from 1 to 1024"),
            ConfigField.duration("dedup-window").required().check(ServerSpecs::positive, "must be positive"),
            ConfigField.integer("dedup-max-keys").required().check((Integer n) -> n >= 100, "must be at least 100"),
            ConfigField.integer("dedup-filter-keys").required().check((Integer n) -> n >= 1000 && n <= 100_000_000,
                    "must be from 1000 to 100000000"),
            ConfigField.duration("retention").required().check(ServerSpecs::positive, "must be positive"),
            ConfigField.duration("retention-check").required().check(ServerSpecs::positive, "must be positive"),
            ConfigField.duration("accept-timeout").required().check(ServerSpecs::positive, "must be positive"),
            ConfigField.integer("max-batch").required().check((Integer n) -> n >= 1 && n <= 10_000, "must be from 1 to 10000"),
            ConfigField.integer("queue-size").required().check((Integer n) -> n >= 16, "must be at least 16"),
            ConfigField.integer("snapshot-every").required().check((Integer n) -> n >= 100, "must be at least 100"),
            ConfigField.integer("delivery-window").required().check((Integer n) -> n >= 1, "must be at least 1"));

    static final ConfigSpec RUNS = ConfigSpec.of("The run records of polling and batch sources.",
            ConfigField.duration("retention").required().check(ServerSpecs::positive, "must be positive")
                    .description("How long a run is kept (by its start); older runs are removed hourly."));

    static final ConfigSpec PLUGINS = ConfigSpec.of("Connector plugins.",
            ConfigField.string("dir").required()
                    .description("Directory of connector plugins (each a jar, or a folder with its jar and dependencies), "
                            + "relative to the working directory. JUNCTION_PLUGINS_DIR."));

    static final ConfigSpec RESILIENCE = ConfigSpec.of("How deliveries to a system are retried, paced and bounded.",
            ConfigField.integer("max-in-flight").defaultValue(64).check((Integer n) -> n >= 1 && n <= 4096, "must be from 1 to 4096")
                    .description("Concurrent attempts to this system from one node: the bulkhead."),
            ConfigField.integer("max-queued").defaultValue(10_000).check((Integer n) -> n >= 1, "must be at least 1")
                    .description("Attempts waiting on one node for the breaker, the rate limit or a free slot; beyond it they "
                            + "are held back in their partitions."));

    static final ConfigSpec RETRY = ConfigSpec.of("Retries of failed deliveries.",
            ConfigField.integer("max-attempts").defaultValue(8).check((Integer n) -> n >= 1, "must be at least 1")
                    .description("Attempts per target before the envelope is dead-lettered."),
            ConfigField.duration("min-backoff").defaultValue("200ms").check(ServerSpecs::positive, "must be positive"),
            ConfigField.duration("max-backoff").defaultValue("30s").check(ServerSpecs::positive, "must be positive"),
            ConfigField.decimal("random-factor").defaultValue(1.0).check((Double f) -> f >= 0 && f <= 1, "must be from 0 to 1")
                    .description("Random share of each delay: 1 is full jitter, 0 none."),
            ConfigField.duration("max-age").defaultValue("1d").check(ServerSpecs::positive, "must be positive")
                    .description("An envelope still failing this long after it was received is dead-lettered."));

    static final ConfigSpec BREAKER = ConfigSpec.of("The system's circuit breaker.",
            ConfigField.bool("enabled").defaultValue(true),
            ConfigField.integer("max-failures").defaultValue(5).check((Integer n) -> n >= 1, "must be at least 1")
                    .description("Consecutive transient failures or timeouts that open the breaker."),
            ConfigField.duration("call-timeout").defaultValue("10s").check(ServerSpecs::positive, "must be positive"),
            ConfigField.duration("reset-timeout").defaultValue("10s").check(ServerSpecs::positive, "must be positive"),
            ConfigField.duration("max-reset-timeout").defaultValue("2m").check(ServerSpecs::positive, "must be positive"));

    static final ConfigSpec RATE_LIMIT = ConfigSpec.of("The most attempts per period on one node.",
            ConfigField.integer("permits").required().check((Integer n) -> n >= 1, "must be at least 1"),
            ConfigField.duration("per").defaultValue("1s").check(ServerSpecs::positive, "must be positive"));

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }
}
