package dev.junction.connectors.kafka;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/** A cluster's connection settings, read once from the system's validated block. Immutable. */
record KafkaSystem(String bootstrapServers, String securityProtocol, String saslMechanism, String username, String password,
                   Duration requestTimeout) {

    static KafkaSystem from(Config system) {
        return new KafkaSystem(system.getString("bootstrap-servers"), system.getString("security-protocol"),
                system.getString("sasl-mechanism"), system.getString("username"), system.getString("password"),
                system.getDuration("request-timeout"));
    }

    static boolean isValidServers(String servers) {
        return java.util.Arrays.stream(servers.split(",")).map(String::trim)
                .allMatch(s -> s.matches("[A-Za-z0-9._\\-\\[\\]:]+:[0-9]{1,5}"));
    }

    /** The brokers, for logs and status (no credentials are ever in them). */
    String address() {
        return bootstrapServers;
    }

    /** The settings every client of this system shares; {@code clientId} names it in the brokers' logs and metrics. */
    Map<String, Object> clientProperties(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, 100);
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
        p.put(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "rebootstrap");
        if (securityProtocol.startsWith("SASL")) {
            p.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
            String module = saslMechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + escape(username) + "\" password=\""
                    + escape(password) + "\";");
        }
        return p;
    }

    /**
     * Runs {@code create} (a client's constructor) with the plugin's class loader as the thread's context class loader: Kafka
     * loads the classes its configuration names (serializers, SASL callbacks, its own defaults) through it, and on a server
     * thread it is the server's, which does not see the plugin's jars.
     */
    static <T> T inPluginClassLoader(java.util.function.Supplier<T> create) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(KafkaSystem.class.getClassLoader());
        try {
            return create.get();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "KafkaSystem[" + bootstrapServers + ", " + securityProtocol + "]"; // never the password
    }
}
