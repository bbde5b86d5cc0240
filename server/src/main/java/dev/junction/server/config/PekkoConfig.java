package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;

/** Derives the actor system's configuration from the validated settings: remoting, seeds and the journal's database. */
final class PekkoConfig {
    static final String SYSTEM_NAME = "junction";

    private PekkoConfig() {}

    static Config build(Config layered, NodeSettings node, PersistenceSettings db) {
        if (node == null || db == null) {
            return layered; // invalid; the caller reports the problems and never uses this
        }
        Map<String, Object> c = new HashMap<>();
        c.put("pekko.remote.artery.canonical.hostname", node.host());
        c.put("pekko.remote.artery.canonical.port", node.port());
        c.put("pekko.management.http.hostname", node.host());
        c.put("pekko.management.http.port", node.managementPort());
        if (node.bootstrapsOnKubernetes()) {
            c.put("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method", "kubernetes-api");
            c.put("pekko.management.cluster.bootstrap.contact-point-discovery.port-name", "management");
        }
        c.put("pekko.cluster.seed-nodes", node.seedNodes().stream().map(s -> "pekko://" + SYSTEM_NAME + "@" + s).toList());
        String slick = "pekko-persistence-jdbc.shared-databases.slick.";
        c.put(slick + "profile", db.isPostgres() ? "slick.jdbc.PostgresProfile$" : "slick.jdbc.H2Profile$");
        c.put(slick + "db.url", db.jdbcUrl());
        c.put(slick + "db.user", db.user());
        c.put(slick + "db.password", db.password());
        c.put(slick + "db.driver", db.isPostgres() ? "org.postgresql.Driver" : "org.h2.Driver");
        c.put(slick + "db.connectionPool", "HikariCP");
        c.put(slick + "db.numThreads", db.poolSize());
        c.put(slick + "db.maxConnections", db.poolSize());
        c.put(slick + "db.minConnections", Math.max(2, db.poolSize() / 4));
        c.put(slick + "db.queueSize", 10_000);
        long timeoutMs = db.connectionTimeout().toMillis();
        c.put(slick + "db.connectionTimeout", timeoutMs);
        c.put(slick + "db.validationTimeout", Math.max(250, timeoutMs / 2));
        c.put(slick + "db.keepAliveConnection", true);
        return ConfigFactory.defaultOverrides()
                .withFallback(ConfigFactory.parseMap(c, "derived from junction settings"))
                .withFallback(layered)
                .resolve();
    }
}
