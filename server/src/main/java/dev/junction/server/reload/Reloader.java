package dev.junction.server.reload;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.InvalidConfigException;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.delivery.Catalog;
import dev.junction.server.lookup.LookupFiles;
import dev.junction.server.lookup.LookupTable;
import dev.junction.server.source.Sources;
import dev.junction.server.system.Systems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a changed configuration to the running node. The whole file is read and validated first, and the change is refused
 * whole if any part is wrong, or if it touches what only a restart can change (a running system's settings, the node, the
 * journal, the inbox, the HTTP listener, Pekko). Otherwise a new system starts, each changed integration gets a new revision,
 * which new messages are accepted under, and each new target gets its sink; messages already accepted keep the revision they
 * were accepted under. A removed integration stops taking messages and still delivers what it accepted (so a removed system
 * runs on until the node restarts). Triggered by the admin API and by a change to the configuration file or any schema or mapping it names
 * (checked every few seconds). Thread-safe.
 */
public final class Reloader {
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);

    /** Reads and validates a configuration file, with the same connectors and environment as at start. */
    @FunctionalInterface
    public interface Loader {
        JunctionSettings load(Path file) throws InvalidConfigException;
    }

    /**
     * What a reload did.
     *
     * @param applied  false when the change was refused (nothing of it was applied)
     * @param changes  what changed, one line each; empty when nothing did
     * @param problems why it was refused: every problem, with file, line and path
     */
    public record Outcome(boolean applied, List<String> changes, List<String> problems) {}

    private final Loader loader;
    private final Catalog catalog;
    private final Sources sources;
    private final Systems systems;
    private final Executor blocking;
    private JunctionSettings settings;
    /** The revisions of {@link #settings}, readable without the lock. */
    private volatile Map<String, String> revisions;
    /** The lookup tables of {@link #settings}, readable without the lock. */
    private volatile Map<String, LookupTable> lookups;
    private volatile Map<String, dev.junction.server.config.ChannelSettings> channels;
    private Map<Path, Long> watched;
    /** What a change of the watched files leads to: applied here alone, or offered to the cluster ({@link #onFileChange}). */
    private volatile java.util.function.Function<String, CompletionStage<Outcome>> fileChanged =
            text -> CompletableFuture.completedFuture(replace(text));
    /** Told each configuration this node applies, after the integrations and sources follow it. */
    private final List<java.util.function.Consumer<JunctionSettings>> appliedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** {@code blocking} runs the file reads of a reload and of the checks for changes. */
    public Reloader(JunctionSettings settings, Loader loader, Catalog catalog, Sources sources, Systems systems, Executor blocking) {
        this.settings = settings;
        this.loader = loader;
        this.catalog = catalog;
        this.sources = sources;
        this.systems = systems;
        this.blocking = blocking;
        this.watched = stamps(settings);
        this.revisions = revisionsOf(settings);
        this.lookups = settings.lookups();
        this.channels = settings.channels();
    }

    /** The channels declared on this node, by name. */
    public Map<String, dev.junction.server.config.ChannelSettings> channels() {
        return channels;
    }

    /** The lookup tables running on this node, by name. */
    public Map<String, LookupTable> lookups() {
        return lookups;
    }

    /** Checks the configuration file and the files it names every {@code interval}, and reloads when one of them changed. */
    public void watch(ActorSystem<?> system, Duration interval) {
        system.scheduler().scheduleWithFixedDelay(interval, interval, () -> blocking.execute(this::reloadIfChanged),
                system.executionContext());
    }

    /**
     * From now on a change of the configuration file (or of a file it names) is handed to {@code distribute} with the file's
     * text, so a cluster applies it everywhere or nowhere, instead of this node applying it alone.
     */
    public void onFileChange(java.util.function.Function<String, CompletionStage<Outcome>> distribute) {
        this.fileChanged = distribute;
    }

    /**
     * From now on {@code listener} is told each configuration applied here (by a reload of this node or of the cluster), on
     * the thread applying it, so a part of the node that reads integrations' settings outside the catalog (the alerts'
     * monitoring blocks) follows them. A listener must not fail; one that throws is logged and the reload stands.
     */
    public void onApplied(java.util.function.Consumer<JunctionSettings> listener) {
        appliedListeners.add(listener);
    }

    /** {@link #reload()} on the blocking executor. */
    public CompletionStage<Outcome> reloadAsync() {
        return CompletableFuture.supplyAsync(this::reload, blocking);
    }

    /** {@link #text()} on the blocking executor. */
    public CompletionStage<String> textAsync() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return text();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, blocking);
    }

    /** {@link #replace(String)} on the blocking executor. */
    public CompletionStage<Outcome> replaceAsync(String text) {
        return CompletableFuture.supplyAsync(() -> replace(text), blocking);
    }

    private void reloadIfChanged() {
        Map<Path, Long> now;
        synchronized (this) {
            now = stamps(settings);
            if (now.equals(watched)) {
                return;
            }
            watched = now;
        }
        String text;
        try {
            text = text();
        } catch (IOException e) {
            log.error("the changed configuration {} cannot be read ({}); the running one stays", settings.configFile(), e.toString());
            return;
        }
        fileChanged.apply(text).whenComplete((outcome, failure) -> {
            if (failure != null || !outcome.applied()) {
                log.error("the changed configuration {} was not applied; the running one stays:\n  {}", settings.configFile(),
                        failure != null ? failure.toString() : String.join("\n  ", outcome.problems()));
            }
        });
    }

    /** The configuration file's text now (the file as this node has it). */
    public String currentText() throws IOException {
        return text();
    }

    /** When the configuration file was last modified (epoch ms). */
    public synchronized long fileChangedAt() throws IOException {
        return Files.getLastModifiedTime(settings.configFile()).toMillis();
    }

    /** Copies the configuration file beside itself as {@code .<name><suffix>}, before it is replaced. */
    public synchronized void keepAside(String suffix) throws IOException {
        Path file = settings.configFile();
        Files.copy(file, file.resolveSibling("." + file.getFileName() + suffix), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Each integration's current revision on this node. Not under the lock a reload holds while it reads files: asked from an
     * actor, it must not wait for one.
     */
    public Map<String, String> revisions() {
        return revisions;
    }

    private static Map<String, String> revisionsOf(JunctionSettings settings) {
        Map<String, String> revisions = new TreeMap<>();
        settings.integrations().values().forEach(i -> revisions.put(i.name(), i.revision()));
        return java.util.Collections.unmodifiableMap(revisions);
    }

    /**
     * Every problem {@code text} would have as this node's configuration (none: {@link #replace} would apply it), found the
     * way {@link #replace} finds them, without applying anything.
     */
    public synchronized List<String> check(String text) {
        Path file = settings.configFile();
        Path proposed = file.resolveSibling("." + file.getFileName() + ".checked");
        try {
            Files.writeString(proposed, text);
            JunctionSettings next = loader.load(proposed);
            List<String> restartOnly = restartOnly(settings.pekko(), next.pekko());
            return restartOnly.isEmpty() ? List.of() : refusedRestartOnly(restartOnly).problems();
        } catch (InvalidConfigException e) {
            return e.problems().stream().map(p -> p.toString().replace(proposed.toString(), file + " (proposed)")).toList();
        } catch (IOException e) {
            return List.of(file + ": cannot be checked: " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(proposed);
            } catch (IOException ignored) {
                // harmless, overwritten by the next check
            }
        }
    }

    /** Reads the configuration again and applies it, or refuses it whole. */
    public synchronized Outcome reload() {
        JunctionSettings next;
        try {
            next = loader.load(settings.configFile());
        } catch (InvalidConfigException e) {
            return new Outcome(false, List.of(), e.problems().stream().map(Object::toString).toList());
        }
        return apply(next);
    }

    /** {@link #replaceLookup} on the blocking executor. */
    public CompletionStage<Outcome> replaceLookupAsync(String name, byte[] content) {
        return CompletableFuture.supplyAsync(() -> replaceLookup(name, content), blocking);
    }

    /**
     * Replaces lookup table {@code name}'s file with {@code content} and reloads, or refuses it with every problem and leaves
     * the file as it was: a table that does not read, or a reload that refuses the configuration with it. On this node only:
     * each node reads its own lookup files, as it does its schemas and mappings.
     */
    public synchronized Outcome replaceLookup(String name, byte[] content) {
        LookupTable table = settings.lookups().get(name);
        if (table == null) {
            return new Outcome(false, List.of(), List.of("no lookup table " + name));
        }
        LookupFiles.Parsed parsed = LookupFiles.read(name, table.file(), content);
        if (!parsed.problems().isEmpty()) {
            return new Outcome(false, List.of(), parsed.problems().stream().map(p -> table.file() + " (proposed) " + p).toList());
        }
        Path file = table.file();
        Path proposed = file.resolveSibling("." + file.getFileName() + ".proposed");
        try {
            byte[] before = Files.readAllBytes(file);
            Files.write(proposed, content);
            Files.move(proposed, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Outcome outcome = reload();
            if (!outcome.applied()) {
                Files.write(file, before);
                watched = stamps(settings);
            }
            return outcome;
        } catch (IOException e) {
            return new Outcome(false, List.of(), List.of(file + ": cannot be replaced: " + e.getMessage()));
        }
    }

    /** The configuration file as it is now. */
    private String text() throws IOException {
        return Files.readString(settings.configFile());
    }

    /**
     * Replaces the configuration file with {@code text} and applies it, or refuses it whole and leaves the file as it was. The
     * proposal is validated from a file beside the real one, so its relative paths resolve the same way.
     */
    public synchronized Outcome replace(String text) {
        Path file = settings.configFile();
        Path proposed = file.resolveSibling("." + file.getFileName() + ".proposed");
        try {
            Files.writeString(proposed, text);
            JunctionSettings next;
            try {
                next = loader.load(proposed);
            } catch (InvalidConfigException e) {
                return new Outcome(false, List.of(), e.problems().stream()
                        .map(p -> p.toString().replace(proposed.toString(), file + " (proposed)")).toList());
            }
            List<String> restartOnly = restartOnly(settings.pekko(), next.pekko());
            if (!restartOnly.isEmpty()) {
                return refusedRestartOnly(restartOnly);
            }
            Files.move(proposed, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return apply(loader.load(file));
        } catch (IOException | InvalidConfigException e) {
            return new Outcome(false, List.of(), List.of(file + ": cannot be replaced: " + e.getMessage()));
        } finally {
            try {
                Files.deleteIfExists(proposed);
            } catch (IOException ignored) {
                // a leftover proposal is harmless and overwritten by the next one
            }
        }
    }

    private Outcome refusedRestartOnly(List<String> paths) {
        return new Outcome(false, List.of(), paths.stream().map(path -> settings.configFile() + ": " + path
                + ": changed, and only a restart applies it (a reload changes integrations only)").toList());
    }

    private Outcome apply(JunctionSettings next) {
        List<String> restartOnly = restartOnly(settings.pekko(), next.pekko());
        if (!restartOnly.isEmpty()) {
            return refusedRestartOnly(restartOnly);
        }
        // Systems and sinks first: the integrations and sources below may call them at once.
        List<String> changes = new ArrayList<>(systems.apply(next));
        for (IntegrationSettings integration : next.integrations().values()) {
            IntegrationSettings before = settings.integrations().get(integration.name());
            if (before == null || !before.revision().equals(integration.revision())) {
                catalog.add(integration);
                changes.add(integration.name() + ": " + (before == null ? "added as revision " + integration.revision()
                        : "revision " + before.revision() + " -> " + integration.revision() + describe(before, integration)));
            }
        }
        changes.addAll(sources.apply(next));
        changes.addAll(LookupChanges.between(settings.lookups(), next.lookups()));
        changes.addAll(channelChanges(settings.channels(), next.channels()));
        settings.integrations().keySet().stream().filter(name -> !next.integrations().containsKey(name))
                .forEach(name -> changes.add(name + ": removed"));
        settings = next;
        revisions = revisionsOf(next);
        lookups = next.lookups();
        channels = next.channels();
        watched = stamps(next);
        for (java.util.function.Consumer<JunctionSettings> listener : appliedListeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                log.warn("a part of the node did not follow the reload of {}: {}", next.configFile(), e.toString());
            }
        }
        if (!changes.isEmpty()) {
            log.info("configuration {} reloaded:\n  {}", next.configFile(), String.join("\n  ", changes));
        }
        return new Outcome(true, List.copyOf(changes), List.of());
    }

    /** The channels added, removed, or with other schema versions, for the reload's report. */
    private static List<String> channelChanges(Map<String, dev.junction.server.config.ChannelSettings> before,
                                               Map<String, dev.junction.server.config.ChannelSettings> after) {
        List<String> changes = new ArrayList<>();
        after.forEach((name, channel) -> {
            dev.junction.server.config.ChannelSettings was = before.get(name);
            if (was == null) {
                changes.add("channel " + name + ": added (versions " + channel.versions().keySet() + ")");
            } else if (was.version() != channel.version() || !was.versions().keySet().equals(channel.versions().keySet())) {
                changes.add("channel " + name + ": versions " + was.versions().keySet() + " (current " + was.version() + ") -> "
                        + channel.versions().keySet() + " (current " + channel.version() + ")");
            }
        });
        before.keySet().stream().filter(name -> !after.containsKey(name)).forEach(name -> changes.add("channel " + name + ": removed"));
        return changes;
    }

    /** The mapping versions that changed, for the reload's report. */
    private static String describe(IntegrationSettings before, IntegrationSettings after) {
        return before.mappingVersions().equals(after.mappingVersions()) ? ""
                : " (mappings " + before.mappingVersions() + " -> " + after.mappingVersions() + ")";
    }

    /**
     * The settings outside {@code junction.integrations}, {@code junction.lookups} and {@code junction.channels} that differ:
     * those only a restart applies.
     * A system added or removed is not one (the reload starts it, or leaves it running); a running system's settings are.
     */
    static List<String> restartOnly(Config before, Config after) {
        TreeSet<String> changed = new TreeSet<>();
        Map<String, String> systemsBefore = children(before, "junction.systems");
        Map<String, String> systemsAfter = children(after, "junction.systems");
        systemsBefore.forEach((name, value) -> {
            if (systemsAfter.containsKey(name) && !value.equals(systemsAfter.get(name))) {
                changed.add("junction.systems." + name);
            }
        });
        Config a = before.withoutPath("junction.integrations").withoutPath("junction.lookups").withoutPath("junction.systems")
                .withoutPath("junction.channels");
        Config b = after.withoutPath("junction.integrations").withoutPath("junction.lookups").withoutPath("junction.systems")
                .withoutPath("junction.channels");
        for (String root : List.of("junction", "pekko")) {
            Map<String, String> left = children(a, root);
            Map<String, String> right = children(b, root);
            TreeSet<String> keys = new TreeSet<>(left.keySet());
            keys.addAll(right.keySet());
            for (String key : keys) {
                if (!java.util.Objects.equals(left.get(key), right.get(key))) {
                    changed.add(root + "." + key);
                }
            }
        }
        return List.copyOf(changed);
    }

    private static Map<String, String> children(Config config, String root) {
        Map<String, String> result = new TreeMap<>();
        if (config.hasPath(root)) {
            config.getObject(root).forEach((key, value) -> result.put(key, value.render(ConfigRenderOptions.concise())));
        }
        return result;
    }

    /** The last-modified time of the configuration file and of every schema, mapping and lookup file it names. */
    private static Map<Path, Long> stamps(JunctionSettings settings) {
        Map<Path, Long> stamps = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        files.add(settings.configFile());
        settings.lookups().values().forEach(table -> files.add(table.file()));
        settings.channels().values().forEach(channel -> channel.versions().values().forEach(schema -> files.add(schema.file())));
        for (IntegrationSettings integration : settings.integrations().values()) {
            for (StepSettings step : integration.steps()) {
                if (step instanceof StepSettings.Validate v) {
                    files.add(v.schemaFile());
                } else if (step instanceof StepSettings.Map m) {
                    m.versions().values().forEach(mapping -> files.add(mapping.file()));
                }
            }
        }
        for (Path file : files) {
            try {
                stamps.put(file, Files.getLastModifiedTime(file).toMillis() ^ Files.size(file));
            } catch (IOException e) {
                stamps.put(file, -1L);
            }
        }
        return stamps;
    }
}
