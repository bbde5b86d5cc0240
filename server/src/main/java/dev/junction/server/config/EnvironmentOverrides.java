package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deployment settings that environment variables override, above the configuration file. One table, so the README, the
 * scripts and the code cannot disagree.
 */
public final class EnvironmentOverrides {

    /** Environment variable → HOCON path. */
    public static final Map<String, String> VARIABLES = table();

    private EnvironmentOverrides() {}

    private static Map<String, String> table() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("JUNCTION_HTTP_PORT", "junction.http.port");
        t.put("JUNCTION_HTTP_INTERFACE", "junction.http.interface");
        t.put("JUNCTION_NODE_HOST", "junction.node.host");
        t.put("JUNCTION_NODE_PORT", "junction.node.port");
        t.put("JUNCTION_SEED_NODES", "junction.node.seed-nodes");
        t.put("JUNCTION_MGMT_PORT", "junction.node.management-port");
        t.put("JUNCTION_DISCOVERY", "junction.node.discovery");
        t.put("JUNCTION_JOURNAL", "junction.persistence.journal");
        t.put("JUNCTION_DB_URL", "junction.persistence.url");
        t.put("JUNCTION_DB_USER", "junction.persistence.user");
        t.put("JUNCTION_DB_PASSWORD", "junction.persistence.password");
        t.put("JUNCTION_DB_POOL_SIZE", "junction.persistence.pool-size");
        t.put("JUNCTION_DATA_DIR", "junction.persistence.h2-directory");
        t.put("JUNCTION_PARTITIONS", "junction.inbox.partitions");
        t.put("JUNCTION_PLUGINS_DIR", "junction.plugins.dir");
        return Map.copyOf(t);
    }

    /** The overrides present in {@code env}, as a configuration whose origin names the variable. */
    public static Config from(Map<String, String> env) {
        Config result = ConfigFactory.empty();
        for (Map.Entry<String, String> e : VARIABLES.entrySet()) {
            String value = env.get(e.getKey());
            if (value != null && !value.isBlank()) {
                result = result.withValue(e.getValue(),
                        ConfigValueFactory.fromAnyRef(value.trim(), "environment variable " + e.getKey()));
            }
        }
        return result;
    }
}
