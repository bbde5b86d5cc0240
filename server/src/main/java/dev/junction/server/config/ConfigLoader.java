package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.security.AdminSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the configuration file into {@link JunctionSettings}. Layers, highest first: JVM system properties, the environment
 * variables of {@link EnvironmentOverrides}, the file, the {@code reference.conf} defaults. Every problem is collected and
 * reported together in one {@link InvalidConfigException}.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Loads and validates {@code file}. */
    public static JunctionSettings load(Path file, ConnectorRegistry connectors, Map<String, String> env) throws InvalidConfigException {
        return load(file, connectors, env, java.util.function.UnaryOperator.identity());
    }

    /**
     * Loads and validates {@code file} with {@code adjust} applied to the resolved layers before they are read: how a tool
     * such as {@code chaos} points the user's configuration, unchanged on disk, at stand-ins and a scratch journal.
     */
    public static JunctionSettings load(Path file, ConnectorRegistry connectors, Map<String, String> env,
                                        java.util.function.UnaryOperator<Config> adjust) throws InvalidConfigException {
        Problems problems = new Problems();
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            problems.add(new ConfigProblem(absolute.toString(), -1, "", "", "configuration file not found"));
            problems.throwIfAny();
        }
        Config layered;
        try {
            Config parsed = ConfigFactory.parseFile(absolute.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            layered = ConfigFactory.defaultOverrides()
                    .withFallback(EnvironmentOverrides.from(env))
                    .withFallback(parsed)
                    .withFallback(ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "junction-pekko.conf"))
                    .withFallback(ConfigFactory.defaultReference())
                    .resolve(ConfigResolveOptions.defaults());
        } catch (ConfigException e) {
            problems.from(e, absolute.toString());
            throw new InvalidConfigException(problems.list());
        }
        return read(absolute, adjust.apply(layered), connectors, problems);
    }

    /**
     * The plugin directory for {@code file}, read before the connectors are loaded (the configuration cannot be validated
     * without them): {@code JUNCTION_PLUGINS_DIR}, else {@code junction.plugins.dir} in the file, else {@code plugins}; relative
     * to the working directory. A file that does not parse names no directory here: loading it reports why.
     */
    public static Path pluginDirectory(Path file, Map<String, String> env) {
        String dir = "plugins";
        try {
            Config parsed = EnvironmentOverrides.from(env).withFallback(ConfigFactory.parseFile(file.toFile()))
                    .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
            if (parsed.hasPath("junction.plugins.dir") && parsed.getValue("junction.plugins.dir").valueType() == ConfigValueType.STRING) {
                dir = parsed.getString("junction.plugins.dir");
            }
        } catch (ConfigException e) {
            // reported with file and line by load()
        }
        return Path.of(dir).toAbsolutePath().normalize();
    }

    private static JunctionSettings read(Path file, Config all, ConnectorRegistry connectors, Problems problems) throws InvalidConfigException {
        Config junction = all.getConfig("junction");
        HttpSettings http = readBlock(junction, "http", ServerSpecs.HTTP, problems, c -> new HttpSettings(c.getString("interface"), c.getInt("port")));
        NodeSettings node = readBlock(junction, "node", ServerSpecs.NODE, problems, c -> new NodeSettings(c.getString("host"), c.getInt("port"),
                c.hasPath("seed-nodes") ? splitList(c.getString("seed-nodes")) : List.of(), c.getInt("management-port"),
                c.getString("discovery")));
        if (node != null && node.bootstrapsOnKubernetes() && !node.seedNodes().isEmpty()) {
            problems.at(junction.getConfig("node"), "seed-nodes", "junction.node.seed-nodes",
                    "must be empty when discovery is kubernetes-api: cluster bootstrap finds the other nodes");
        }
        PersistenceSettings persistence = readBlock(junction, "persistence", ServerSpecs.PERSISTENCE, problems, c -> persistence(c, problems));
        InboxSettings inbox = readBlock(junction, "inbox", ServerSpecs.INBOX, problems, c -> new InboxSettings(c.getInt("partitions"),
                c.getDuration("dedup-window"), c.getInt("dedup-max-keys"), c.getInt("dedup-filter-keys"), c.getDuration("retention"), c.getDuration("retention-check"), c.getDuration("accept-timeout"), c.getInt("max-batch"),
                c.getInt("queue-size"), c.getInt("snapshot-every"), c.getInt("delivery-window")));
        readBlock(junction, "plugins", ServerSpecs.PLUGINS, problems, c -> c.getString("dir"));
        java.time.Duration runRetention = readBlock(junction, "runs", ServerSpecs.RUNS, problems, c -> c.getDuration("retention"));
        for (String key : junction.root().keySet()) {
            if (!Set.of("http", "node", "persistence", "inbox", "plugins", "admin", "systems", "integrations", "alerts",
                    "monitoring-defaults", "lookups", "runs", "channels").contains(key)) {
                problems.at(junction, key, "junction." + key,
                        "unknown setting (known: http, node, persistence, inbox, plugins, admin, systems, integrations, alerts, monitoring-defaults, lookups, runs, channels)");
            }
        }
        AdminSettings admin = AdminReader.read(junction, file.getParent(), problems);
        Map<String, SystemSettings> systems = SystemsReader.read(junction, connectors, file.getParent(), problems);
        Map<String, dev.junction.server.lookup.LookupTable> lookups = LookupsReader.read(junction, file.getParent(), problems);
        Map<String, ChannelSettings> channels = ChannelsReader.read(junction, file.getParent(), problems);
        Map<String, IntegrationSettings> integrations = new IntegrationsReader(file.getParent(), systems, lookups,
                junction.hasPath("lookups") && junction.getValue("lookups").valueType() == ConfigValueType.OBJECT
                        ? junction.getObject("lookups").keySet() : Set.of(), channels, problems).read(junction);
        AlertSettings alerts = AlertsReader.read(junction, integrations.keySet(),
                integrations.containsKey(AlertSettings.NOTIFY_INTEGRATION), problems);
        problems.throwIfAny();
        return new JunctionSettings(file, http, admin, node, persistence, inbox, systems, integrations,
                PekkoConfig.build(all, node, persistence), alerts, lookups, runRetention, channels);
    }

    private static PersistenceSettings persistence(Config c, Problems problems) {
        String url = c.getString("url");
        String journal = c.getString("journal");
        String fromUrl = url.startsWith("jdbc:postgresql:") ? "postgres" : url.startsWith("jdbc:h2:") ? "h2" : "";
        if (journal.isEmpty()) {
            journal = fromUrl.isEmpty() ? "h2" : fromUrl;
        } else if (!fromUrl.isEmpty() && !fromUrl.equals(journal)) {
            problems.at(c, "url", "junction.persistence.url", "is a " + fromUrl + " URL but journal = " + journal);
        }
        if (journal.equals("postgres") && url.isEmpty()) {
            problems.missing(c.origin(), "junction.persistence.url", "is required when journal = postgres (or set JUNCTION_DB_URL)");
        }
        if (journal.equals("h2") && url.isEmpty()) {
            Path dir = Path.of(c.getString("h2-directory")).toAbsolutePath().normalize();
            // WRITE_DELAY=0: H2 otherwise keeps committed transactions in memory for up to 500 ms, and a killed process
            // would lose writes that were already acknowledged.
            url = "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0";
        }
        return new PersistenceSettings(journal, url, c.getString("user"), c.getString("password"), c.getInt("pool-size"),
                c.getDuration("connection-timeout"), c.getBoolean("create-schema"));
    }

    /** Validates {@code junction.<key>} against {@code spec}; builds the record only when it is valid. */
    static <T> T readBlock(Config parent, String key, ConfigSpec spec, Problems problems, java.util.function.Function<Config, T> build) {
        String path = "junction." + key;
        if (parent.root().get(key) == null || parent.root().get(key).valueType() != ConfigValueType.OBJECT) {
            problems.missing(parent.origin(), path, "must be an object");
            return null;
        }
        Config block = parent.getConfig(key);
        List<ConfigProblem> found = spec.validate(block, path, Set.of());
        problems.addAll(found);
        return found.isEmpty() ? build.apply(spec.withDefaults(block)) : null;
    }

    static List<String> splitList(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static Map<String, Config> objects(Config parent, String key, String path, Problems problems) {
        Map<String, Config> result = new LinkedHashMap<>();
        if (!parent.hasPath(key)) {
            return result;
        }
        if (parent.getValue(key).valueType() != ConfigValueType.OBJECT) {
            problems.at(parent, key, path, "must be an object");
            return result;
        }
        Config block = parent.getConfig(key);
        for (String name : block.root().keySet()) {
            if (block.root().get(name).valueType() != ConfigValueType.OBJECT) {
                problems.at(block, name, path + "." + name, "must be an object");
            } else {
                result.put(name, block.getConfig(quoted(name)));
            }
        }
        return result;
    }

    /** A key as a path element, quoted when it holds characters HOCON paths treat specially. */
    static String quoted(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : '"' + key.replace("\"", "\\\"") + '"';
    }
}
