package dev.junction.server.reload;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import dev.junction.server.config.IntegrationSettings;
import dev.junction.server.config.InvalidConfigException;
import dev.junction.server.config.JunctionSettings;
import dev.junction.server.config.StepSettings;
import dev.junction.server.delivery.Catalog;
import dev.junction.server.source.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a changed configuration to the running node. The whole file is read and validated first, and the change is refused
 * whole if any part is wrong, or if it touches what only a restart can change (systems, the node, the journal, the inbox, the
 * HTTP listener, Pekko). Otherwise each changed integration gets a new revision, which new messages are accepted under; messages
 * already accepted keep the revision they were accepted under. A removed integration stops taking messages and still delivers
 * what it accepted. Triggered by the admin API and by a change to the configuration file or any schema or mapping it names
 * (checked every few seconds). Thread-safe.
 */
public final class Reloader {
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);

    /** Reads and validates the configuration again, from the same file and environment as at start. */
    @FunctionalInterface
    public interface Loader {
        JunctionSettings load() throws InvalidConfigException;
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
    private JunctionSettings settings;
    private Map<Path, Long> watched;

    public Reloader(JunctionSettings settings, Loader loader, Catalog catalog, Sources sources) {
        this.settings = settings;
        this.loader = loader;
        this.catalog = catalog;
        this.sources = sources;
        this.watched = stamps(settings);
    }

    /** Checks the configuration file and the files it names every {@code interval}, and reloads when one of them changed. */
    public void watch(ActorSystem<?> system, Duration interval) {
        system.scheduler().scheduleWithFixedDelay(interval, interval, this::reloadIfChanged, system.executionContext());
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
        Outcome outcome = reload();
        if (!outcome.applied()) {
            log.error("the changed configuration {} was not applied; the running one stays:\n  {}", settings.configFile(),
                    String.join("\n  ", outcome.problems()));
        }
    }

    /** Reads the configuration again and applies it, or refuses it whole. */
    public synchronized Outcome reload() {
        JunctionSettings next;
        try {
            next = loader.load();
        } catch (InvalidConfigException e) {
            return new Outcome(false, List.of(), e.problems().stream().map(Object::toString).toList());
        }
        List<String> restartOnly = restartOnly(settings.pekko(), next.pekko());
        if (!restartOnly.isEmpty()) {
            return new Outcome(false, List.of(), restartOnly.stream().map(path -> settings.configFile() + ": " + path
                    + ": changed, and only a restart applies it (a reload changes integrations only)").toList());
        }
        List<String> changes = new ArrayList<>();
        for (IntegrationSettings integration : next.integrations().values()) {
            IntegrationSettings before = settings.integrations().get(integration.name());
            if (before == null || !before.revision().equals(integration.revision())) {
                catalog.add(integration);
                changes.add(integration.name() + ": " + (before == null ? "added as revision " + integration.revision()
                        : "revision " + before.revision() + " -> " + integration.revision() + describe(before, integration)));
            }
        }
        changes.addAll(sources.apply(next));
        settings.integrations().keySet().stream().filter(name -> !next.integrations().containsKey(name))
                .forEach(name -> changes.add(name + ": removed"));
        settings = next;
        watched = stamps(next);
        if (!changes.isEmpty()) {
            log.info("configuration {} reloaded:\n  {}", next.configFile(), String.join("\n  ", changes));
        }
        return new Outcome(true, List.copyOf(changes), List.of());
    }

    /** The mapping versions that changed, for the reload's report. */
    private static String describe(IntegrationSettings before, IntegrationSettings after) {
        List<String> versions = after.steps().stream().filter(StepSettings.Map.class::isInstance).map(StepSettings.Map.class::cast)
                .map(m -> m.tag(m.version())).toList();
        List<String> earlier = before.steps().stream().filter(StepSettings.Map.class::isInstance).map(StepSettings.Map.class::cast)
                .map(m -> m.tag(m.version())).toList();
        return versions.equals(earlier) ? "" : " (mappings " + earlier + " -> " + versions + ")";
    }

    /** The settings outside {@code junction.integrations} that differ: those only a restart applies. */
    static List<String> restartOnly(Config before, Config after) {
        TreeSet<String> changed = new TreeSet<>();
        Config a = before.withoutPath("junction.integrations");
        Config b = after.withoutPath("junction.integrations");
        for (String root : new TreeSet<>(List.of("junction", "pekko"))) {
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

    /** The last-modified time of the configuration file and of every schema and mapping file it names. */
    private static Map<Path, Long> stamps(JunctionSettings settings) {
        Map<Path, Long> stamps = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        files.add(settings.configFile());
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
