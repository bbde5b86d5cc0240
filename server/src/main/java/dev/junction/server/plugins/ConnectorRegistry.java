package dev.junction.server.plugins;

import dev.junction.connectors.api.Connector;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The connectors found on the class path, by name. Immutable. */
public final class ConnectorRegistry {
    private static final Logger log = LoggerFactory.getLogger(ConnectorRegistry.class);
    private final Map<String, Connector> byName;

    private ConnectorRegistry(Map<String, Connector> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** Loads every {@link Connector} that {@link ServiceLoader} finds with {@code loader}; a name found twice is an error. */
    public static ConnectorRegistry load(ClassLoader loader) {
        Map<String, Connector> found = new TreeMap<>();
        for (Connector connector : ServiceLoader.load(Connector.class, loader)) {
            Connector previous = found.putIfAbsent(connector.name(), connector);
            if (previous != null) {
                throw new IllegalStateException("two connectors are named '" + connector.name() + "': "
                        + previous.getClass().getName() + " and " + connector.getClass().getName());
            }
        }
        return new ConnectorRegistry(found);
    }

    /** This registry and {@code extra} (an embedding application's or a test's own connector). */
    public ConnectorRegistry with(Connector extra) {
        Map<String, Connector> all = new TreeMap<>(byName);
        if (all.putIfAbsent(extra.name(), extra) != null) {
            throw new IllegalStateException("two connectors are named '" + extra.name() + "'");
        }
        return new ConnectorRegistry(all);
    }

    /** Logs each connector with its version, once at start. */
    public void logLoaded() {
        byName.values().forEach(c -> log.info("connector {} {} ({})", c.name(), c.version(), c.getClass().getName()));
    }

    public Optional<Connector> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public java.util.Set<String> names() {
        return new java.util.TreeSet<>(byName.keySet());
    }
}
