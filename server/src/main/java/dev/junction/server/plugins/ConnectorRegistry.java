package dev.junction.server.plugins;

import dev.junction.connectors.api.Connector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connectors this server knows, by name: those built in (on the server's class path) and those of every plugin in the
 * plugin directory, each plugin in a class loader of its own. Immutable.
 */
public final class ConnectorRegistry {
    private static final Logger log = LoggerFactory.getLogger(ConnectorRegistry.class);
    /** The origin of connectors on the server's own class path. */
    public static final String BUILT_IN = "built-in";

    /** A connector and where it came from: {@link #BUILT_IN}, or the plugin's jar or folder. */
    public record Loaded(Connector connector, String origin) {}

    private final Map<String, Loaded> byName;

    private ConnectorRegistry(Map<String, Loaded> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** The connectors that {@link ServiceLoader} finds with {@code loader}; a name found twice is an error. */
    public static ConnectorRegistry load(ClassLoader loader) {
        try {
            return load(loader, null);
        } catch (PluginProblem e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The built-in connectors and those of every plugin in {@code pluginDirectory} (none when it is null or absent). Every
     * broken plugin is reported at once: one without a connector, a class that will not load, a name another connector has.
     */
    public static ConnectorRegistry load(ClassLoader server, Path pluginDirectory) throws PluginProblem {
        Map<String, Loaded> found = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        add(ServiceLoader.load(Connector.class, server), BUILT_IN, found, problems);
        for (Plugins.Plugin plugin : Plugins.in(pluginDirectory, problems)) {
            PluginClassLoader loader = new PluginClassLoader(plugin.origin(), plugin.jars(), server);
            int before = found.size();
            add(ServiceLoader.load(Connector.class, loader), plugin.origin(), found, problems);
            if (found.size() == before && problems.stream().noneMatch(p -> p.startsWith(plugin.origin() + ":"))) {
                problems.add(plugin.origin() + ": no connector inside (a plugin lists its connector classes in "
                        + "META-INF/services/" + Connector.class.getName() + ")");
            }
        }
        if (!problems.isEmpty()) {
            List<String> lines = new ArrayList<>();
            lines.add(problems.size() + (problems.size() == 1 ? " problem" : " problems") + " with the plugins:");
            problems.forEach(p -> lines.add("  - " + p));
            throw new PluginProblem(lines);
        }
        return new ConnectorRegistry(found);
    }

    private static void add(ServiceLoader<Connector> services, String origin, Map<String, Loaded> found, List<String> problems) {
        var iterator = services.iterator();
        while (true) {
            Connector connector;
            try {
                if (!iterator.hasNext()) {
                    return;
                }
                connector = iterator.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add(origin + ": " + reason(e));
                if (e instanceof LinkageError) {
                    return; // the iterator cannot go on after a linkage error
                }
                continue;
            }
            String name;
            try {
                name = connector.name();
            } catch (RuntimeException | LinkageError e) {
                problems.add(origin + ": connector " + connector.getClass().getName() + " fails to name itself: " + reason(e));
                continue;
            }
            Loaded previous = found.putIfAbsent(name, new Loaded(connector, origin));
            if (previous != null) {
                problems.add(origin + ": connector '" + name + "' (" + connector.getClass().getName() + ") is already provided by "
                        + previous.origin() + " (" + previous.connector().getClass().getName() + ")");
            }
        }
    }

    /** A one-line reason: the error's message and that of its root cause. */
    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = String.valueOf(e.getMessage()).replaceFirst("^" + Connector.class.getName() + ": ", "");
        return root == e ? text : text + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    /** This registry and the plugins in {@code pluginDirectory}, loaded as a start loads them. */
    public ConnectorRegistry withPlugins(Path pluginDirectory) throws PluginProblem {
        ConnectorRegistry registry = this;
        for (Loaded loaded : load(ConnectorRegistry.class.getClassLoader(), pluginDirectory).all()) {
            if (!loaded.origin().equals(BUILT_IN)) {
                registry = registry.with(loaded);
            }
        }
        return registry;
    }

    private ConnectorRegistry with(Loaded extra) {
        Map<String, Loaded> all = new TreeMap<>(byName);
        if (all.putIfAbsent(extra.connector().name(), extra) != null) {
            throw new IllegalStateException("two connectors are named '" + extra.connector().name() + "'");
        }
        return new ConnectorRegistry(all);
    }

    /** This registry and {@code extra} (an embedding application's or a test's own connector). */
    public ConnectorRegistry with(Connector extra) {
        Map<String, Loaded> all = new TreeMap<>(byName);
        if (all.putIfAbsent(extra.name(), new Loaded(extra, BUILT_IN)) != null) {
            throw new IllegalStateException("two connectors are named '" + extra.name() + "'");
        }
        return new ConnectorRegistry(all);
    }

    /** Logs each connector with its version and origin, once at start. */
    public void logLoaded() {
        byName.values().forEach(l -> log.info("connector {} {} ({}, {})", l.connector().name(), l.connector().version(),
                l.origin(), l.connector().getClass().getName()));
    }

    public Optional<Connector> find(String name) {
        return Optional.ofNullable(byName.get(name)).map(Loaded::connector);
    }

    /** Every connector with its origin, by name. */
    public List<Loaded> all() {
        return List.copyOf(byName.values());
    }

    public java.util.Set<String> names() {
        return new java.util.TreeSet<>(byName.keySet());
    }
}
