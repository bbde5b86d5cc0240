package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.SinkFactory;
import dev.junction.connectors.api.SourceFactory;
import dev.junction.server.lookup.LookupTable;
import dev.junction.server.lookup.MissRule;
import dev.junction.server.masking.Masking;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code junction.integrations}: each integration's source, steps and targets, against the systems declared. */
final class IntegrationsReader {
    /** Names end up in persistence ids and URLs: keep them plain. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Map<String, SystemSettings> systems;
    private final Problems problems;
    private final StepCompiler steps;
    private final Map<String, String> claims = new HashMap<>();
    private Set<String> declaredSystems = Set.of();

    private final LookupUse lookups;
    private final Map<String, ChannelSettings> channels;
    private Set<String> declaredChannels = Set.of();

    IntegrationsReader(Path configDir, Map<String, SystemSettings> systems, Map<String, LookupTable> tables,
                       Set<String> declaredLookups, Map<String, ChannelSettings> channels, Problems problems) {
        this.systems = systems;
        this.channels = channels;
        this.problems = problems;
        this.lookups = new LookupUse(tables, declaredLookups, problems);
        this.steps = new StepCompiler(configDir, problems, lookups, systems);
    }

    Map<String, IntegrationSettings> read(Config junction) {
        declaredSystems = junction.hasPath("systems") && junction.getValue("systems").valueType() == ConfigValueType.OBJECT
                ? junction.getConfig("systems").root().keySet() : Set.of();
        declaredChannels = junction.hasPath("channels") && junction.getValue("channels").valueType() == ConfigValueType.OBJECT
                ? junction.getConfig("channels").root().keySet() : Set.of();
        Map<String, IntegrationSettings> result = new LinkedHashMap<>();
        ConfigLoader.objects(junction, "integrations", "junction.integrations", problems).forEach((name, block) -> {
            String path = "junction.integrations." + ConfigLoader.quoted(name);
            if (name.equals(AlertSettings.NOTIFY_INTEGRATION)) {
                problems.at(junction.getConfig("integrations"), name, path, "this name is Junction's own (alert notifications)");
            }
            if (!NAME.matcher(name).matches()) {
                problems.at(junction.getConfig("integrations"), name, path, "integration names take letters, digits, '.', '_' and '-' (at most 64)");
            }
            for (String key : block.root().keySet()) {
                if (!Set.of("source", "steps", "targets", "description", "monitoring", "mask", OrderingReader.ORDERING,
                        OrderingReader.PARTITION_KEY).contains(key)) {
                    problems.at(block, key, path + "." + key, "unknown setting (known: source, steps, targets, description, "
                            + "monitoring, mask, ordering, partition-key)");
                }
            }
            lookups.startIntegration();
            ChannelSettings.Subscription subscription = subscription(block, path);
            SourceSettings source = subscription != null || isSubscriber(block) ? null : source(name, block, path);
            List<StepSettings> compiled = steps(block, path);
            List<TargetSettings> targets = targets(block, path);
            Masking mask = MaskReader.read(block, path, problems);
            OrderingSettings ordering = OrderingReader.read(block, path, source, problems);
            if ((source != null || subscription != null) && compiled != null && targets != null && mask != null && ordering != null) {
                List<LookupTable> used = lookups.used();
                result.put(name, new IntegrationSettings(name, source, compiled, targets, revision(block, compiled, used, targets),
                        used.stream().map(LookupTable::tag).toList(), mask, ordering, subscription));
            }
        });
        if (junction.hasPath("alerts.notify") && junction.getValue("alerts.notify").valueType() == ConfigValueType.LIST
                && !junction.getList("alerts.notify").isEmpty()) {
            // Alert notifications are the messages of an integration of Junction's own, without a source: durable and retried.
            Config notify = com.typesafe.config.ConfigFactory.empty().withValue("notify", junction.getValue("alerts.notify"));
            List<TargetSettings> targets = targets(notify, "notify", "junction.alerts");
            if (targets != null) {
                result.put(AlertSettings.NOTIFY_INTEGRATION, new IntegrationSettings(AlertSettings.NOTIFY_INTEGRATION, null, List.of(),
                        targets, revision(notify, List.of(), List.of(), targets), List.of(), Masking.NONE, OrderingSettings.NONE, null));
            }
        } else if (junction.hasPath("alerts.notify") && junction.getValue("alerts.notify").valueType() != ConfigValueType.LIST) {
            problems.at(junction.getConfig("alerts"), "notify", "junction.alerts.notify", "must be a list of targets such as "
                    + "[ { system = ops, http { path = \"/hooks/alerts\" } } ]");
        }
        ChannelGraph.check(result, junction, problems);
        return result;
    }

    private static boolean isSubscriber(Config block) {
        return block.hasPath("source") && block.getValue("source").valueType() == ConfigValueType.OBJECT
                && block.getConfig("source").root().containsKey("channel");
    }

    /** {@code source { channel = orders, versions = [1] }}, or null (with a problem when it is one but wrong). */
    private ChannelSettings.Subscription subscription(Config block, String path) {
        if (!isSubscriber(block)) {
            return null;
        }
        Config source = block.getConfig("source");
        String at = path + ".source";
        boolean ok = true;
        for (String key : source.root().keySet()) {
            if (!Set.of("channel", "versions").contains(key)) {
                problems.at(source, key, at + "." + key, "unknown setting of a channel source (known: channel, versions)");
                ok = false;
            }
        }
        ChannelSettings channel = channel(source, at);
        Set<Integer> versions = new java.util.TreeSet<>();
        if (source.hasPath("versions")) {
            List<Integer> listed = null;
            try {
                listed = source.getIntList("versions");
            } catch (ConfigException e) {
                problems.at(source, "versions", at + ".versions", "must be a list of schema versions, e.g. [1, 2]");
                ok = false;
            }
            if (listed != null && listed.isEmpty()) {
                problems.at(source, "versions", at + ".versions", "must name at least one version (leave it out to accept every version)");
                ok = false;
            }
            if (listed != null && channel != null) {
                for (int v : listed) {
                    if (!channel.versions().containsKey(v)) {
                        problems.at(source, "versions", at + ".versions", "channel " + channel.name() + " has no version " + v
                                + " (configured: " + channel.versions().keySet() + ")");
                        ok = false;
                    }
                }
                versions.addAll(listed);
            }
        }
        return ok && channel != null ? new ChannelSettings.Subscription(channel.name(), versions) : null;
    }

    /** The channel named by {@code block.channel}, or null with a problem (none when the channel itself was invalid). */
    private ChannelSettings channel(Config block, String path) {
        String name = block.getValue("channel").unwrapped().toString();
        ChannelSettings channel = channels.get(name);
        if (channel == null && !declaredChannels.contains(name)) {
            problems.at(block, "channel", path + ".channel", "unknown channel (declared: "
                    + (declaredChannels.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(declaredChannels))) + ")");
        }
        return channel;
    }

    /** {@code { channel = orders, version = 1, name = ..., when = ... }}: a target that publishes to a channel. */
    private TargetSettings channelTarget(Config target, String path) {
        for (String key : target.root().keySet()) {
            if (!Set.of("channel", "version", "name", "when", LookupUse.ON_MISS).contains(key)) {
                problems.at(target, key, path + "." + key, "unknown setting of a channel target (known: channel, version, name, when, "
                        + LookupUse.ON_MISS + ")");
            }
        }
        ChannelSettings channel = channel(target, path);
        if (channel == null) {
            return null;
        }
        int version = channel.version();
        if (target.hasPath("version")) {
            Object value = target.getValue("version").unwrapped();
            if (!(value instanceof Integer v) || !channel.versions().containsKey(v)) {
                problems.at(target, "version", path + ".version", "channel " + channel.name() + " has no version " + value
                        + " (configured: " + channel.versions().keySet() + ")");
                return null;
            }
            version = v;
        }
        String name = target.hasPath("name") ? target.getValue("name").unwrapped().toString() : channel.name();
        if (!NAME.matcher(name).matches()) {
            problems.at(target, target.hasPath("name") ? "name" : "channel", path + ".name", "target names take letters, digits, '.', '_' and '-'");
        }
        java.util.Optional<Predicate> when = when(target, path);
        return when == null ? null : new TargetSettings(name, null, null, com.typesafe.config.ConfigFactory.empty(), when,
                new ChannelSettings.Publish(channel, version));
    }

    /** The target's {@code when} predicate; empty without one; null after a problem. */
    private java.util.Optional<Predicate> when(Config target, String path) {
        if (!target.hasPath("when")) {
            return java.util.Optional.empty();
        }
        MissRule rule = lookups.rule(target, path);
        Predicate predicate = rule == null ? null : steps.predicate(target, "when", path + ".when", rule);
        return predicate == null ? null : java.util.Optional.of(predicate);
    }

    private SourceSettings source(String integration, Config block, String path) {
        Config source = object(block, "source", path + ".source", true);
        if (source == null) {
            return null;
        }
        SystemSettings system = system(source, path + ".source");
        Set<String> kinds = new HashSet<>(source.root().keySet());
        kinds.remove("system");
        if (system == null) {
            return null;
        }
        Map<String, SourceFactory> available = system.connector().sources();
        String availableText = available.isEmpty() ? "connector " + system.connector().name() + " has no sources"
                : "connector " + system.connector().name() + " offers: " + String.join(", ", new java.util.TreeSet<>(available.keySet()));
        if (kinds.size() != 1) {
            problems.missing(source.origin(), path + ".source", "needs exactly one block naming the source kind (" + availableText + ")");
            return null;
        }
        String kind = kinds.iterator().next();
        SourceFactory factory = available.get(kind);
        if (factory == null) {
            problems.at(source, kind, path + ".source." + kind, "unknown source kind (" + availableText + ")");
            return null;
        }
        Config settings = object(source, kind, path + ".source." + kind, true);
        if (settings == null || !valid(factory.spec().validate(settings, path + ".source." + kind, Set.of()))) {
            return null;
        }
        Config withDefaults = factory.spec().withDefaults(settings);
        if (!valid(factory.validate(system.config(), withDefaults, path + ".source." + kind))) {
            return null;
        }
        for (String claim : factory.claims(system.config(), withDefaults)) {
            String other = claims.putIfAbsent(claim, integration);
            if (other != null) {
                problems.at(source, kind, path + ".source." + kind, "takes " + claim + ", which integration " + other + " takes already");
            }
        }
        return new SourceSettings(system, kind, factory, withDefaults);
    }

    private List<StepSettings> steps(Config block, String path) {
        if (!block.hasPath("steps")) {
            return List.of();
        }
        if (block.getValue("steps").valueType() != ConfigValueType.LIST) {
            problems.at(block, "steps", path + ".steps", "must be a list of steps such as { validate { schema = \"...\" } }");
            return null;
        }
        List<StepSettings> result = new ArrayList<>();
        boolean ok = true;
        List<? extends ConfigValue> list = block.getList("steps");
        for (int i = 0; i < list.size(); i++) {
            StepSettings step = steps.compile(list.get(i), path + ".steps." + i);
            ok &= step != null;
            result.add(step);
        }
        return ok ? List.copyOf(result) : null;
    }

    private List<TargetSettings> targets(Config block, String path) {
        return targets(block, "targets", path);
    }

    private List<TargetSettings> targets(Config block, String key, String path) {
        if (!block.hasPath(key) || block.getValue(key).valueType() != ConfigValueType.LIST || block.getList(key).isEmpty()) {
            if (block.hasPath(key)) {
                problems.at(block, key, path + "." + key, "must be a non-empty list of targets such as { system = erp, http { path = \"/orders\" } }");
            } else {
                problems.missing(block.origin(), path + "." + key, "is required: a list of at least one target");
            }
            return null;
        }
        List<TargetSettings> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        boolean ok = true;
        List<? extends ConfigValue> list = block.getList(key);
        for (int i = 0; i < list.size(); i++) {
            String targetPath = path + "." + key + "." + i;
            if (list.get(i).valueType() != ConfigValueType.OBJECT) {
                problems.at(list.get(i), targetPath, "must be an object such as { system = erp, http { path = \"/orders\" } }");
                ok = false;
                continue;
            }
            TargetSettings target = target(((ConfigObject) list.get(i)).toConfig(), targetPath);
            if (target != null && !names.add(target.name())) {
                problems.at(list.get(i), targetPath, "a second target named '" + target.name() + "': give each target its own name = ...");
                target = null;
            }
            ok &= target != null;
            result.add(target);
        }
        return ok ? List.copyOf(result) : null;
    }

    private TargetSettings target(Config target, String path) {
        if (target.root().containsKey("channel")) {
            return channelTarget(target, path);
        }
        SystemSettings system = system(target, path);
        if (system == null) {
            return null;
        }
        String connector = system.connector().name();
        SinkFactory factory = system.connector().sink().orElse(null);
        if (factory == null) {
            problems.at(target, "system", path + ".system", "connector " + connector + " cannot be a target");
            return null;
        }
        for (String key : target.root().keySet()) {
            if (!Set.of("system", "name", "when", LookupUse.ON_MISS, connector).contains(key)) {
                problems.at(target, key, path + "." + key, "unknown setting (known: system, name, when, " + LookupUse.ON_MISS + ", " + connector + ")");
            }
        }
        String name = target.hasPath("name") ? target.getValue("name").unwrapped().toString() : system.name();
        if (!NAME.matcher(name).matches()) {
            problems.at(target, target.hasPath("name") ? "name" : "system", path + ".name", "target names take letters, digits, '.', '_' and '-'");
        }
        Config settings = target.hasPath(connector) ? object(target, connector, path + "." + connector, false) : com.typesafe.config.ConfigFactory.empty();
        if (settings == null || !valid(factory.spec().validate(settings, path + "." + connector, Set.of()))) {
            return null;
        }
        Config withDefaults = factory.spec().withDefaults(settings);
        if (!valid(factory.validate(system.config(), withDefaults, path + "." + connector))) {
            return null;
        }
        java.util.Optional<Predicate> when = when(target, path);
        return when == null ? null : new TargetSettings(name, system, factory, withDefaults, when, null);
    }

    /** The system named by {@code block.system}, or null with a problem (none when the system itself was invalid). */
    private SystemSettings system(Config block, String path) {
        if (!block.hasPath("system")) {
            problems.missing(block.origin(), path + ".system", "is required: the name of a system declared under junction.systems");
            return null;
        }
        String name = block.getValue("system").unwrapped().toString();
        SystemSettings system = systems.get(name);
        if (system == null && !declaredSystems.contains(name)) {
            problems.at(block, "system", path + ".system", "unknown system (declared: " + String.join(", ", new java.util.TreeSet<>(declaredSystems)) + ")");
        }
        return system;
    }

    private Config object(Config parent, String key, String path, boolean required) {
        if (!parent.hasPath(ConfigLoader.quoted(key))) {
            if (required) {
                problems.missing(parent.origin(), path, "is required");
            }
            return null;
        }
        try {
            return parent.getConfig(ConfigLoader.quoted(key));
        } catch (ConfigException.WrongType e) {
            problems.at(parent, key, path, "must be an object");
            return null;
        }
    }

    private boolean valid(List<ConfigProblem> found) {
        problems.addAll(found);
        return found.isEmpty();
    }

    /**
     * The first 12 hex digits of a SHA-256 over the block as HOCON, the bytes of each file its steps read and the version of
     * each lookup table its JSLT names: a changed table is a new revision of every integration that uses it. A channel target
     * adds the schema file of the version it publishes (what its messages are validated against); the channel's subscribers
     * are no part of it, so adding or removing one leaves the publisher's revision as it was.
     */
    static String revision(Config block, List<StepSettings> steps, List<LookupTable> lookups, List<TargetSettings> targets) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(block.root().render(com.typesafe.config.ConfigRenderOptions.concise().setJson(false))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (StepSettings step : steps) {
                List<Path> files = step instanceof StepSettings.Validate v ? List.of(v.schemaFile())
                        : step instanceof StepSettings.Map m ? m.versions().values().stream().map(StepSettings.Mapping::file).toList()
                        : List.of();
                for (Path file : files) {
                    sha.update(java.nio.file.Files.readAllBytes(file));
                }
            }
            for (TargetSettings target : targets) {
                if (target.channel() != null) {
                    sha.update(java.nio.file.Files.readAllBytes(target.channel().schema().file()));
                }
            }
            for (LookupTable table : lookups) {
                sha.update(table.tag().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException | java.io.IOException e) {
            throw new IllegalStateException("cannot digest the integration: " + e.getMessage(), e);
        }
    }
}
