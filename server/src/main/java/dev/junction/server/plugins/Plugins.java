package dev.junction.server.plugins;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The plugins of a plugin directory: each {@code *.jar} directly in it is a plugin, and each folder is a plugin made of the
 * jars in it and in its {@code lib/} (its own jar and its dependencies). Hidden entries are skipped. Read once at start.
 */
final class Plugins {
    private Plugins() {}

    /** One plugin: where it came from (for logs and problems) and its jars. */
    record Plugin(String origin, URL[] jars) {}

    /** The plugins in {@code directory}, sorted by name; none when it is null or does not exist. */
    static List<Plugin> in(Path directory, List<String> problems) {
        if (directory == null || !Files.isDirectory(directory)) {
            return List.of();
        }
        List<Plugin> plugins = new ArrayList<>();
        List<Path> entries;
        try (Stream<Path> listing = Files.list(directory)) {
            entries = listing.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            problems.add(directory + ": cannot list the plugin directory: " + e.getMessage());
            return List.of();
        }
        for (Path entry : entries) {
            String origin = entry.toAbsolutePath().normalize().toString();
            if (Files.isDirectory(entry)) {
                List<Path> jars = jars(entry, problems);
                if (jars.isEmpty()) {
                    problems.add(origin + ": no jar inside (a plugin folder holds the plugin's jar and its dependencies)");
                } else {
                    plugins.add(new Plugin(origin, urls(jars)));
                }
            } else if (entry.getFileName().toString().endsWith(".jar")) {
                plugins.add(new Plugin(origin, urls(List.of(entry))));
            }
        }
        return plugins;
    }

    private static List<Path> jars(Path folder, List<String> problems) {
        List<Path> jars = new ArrayList<>();
        for (Path dir : List.of(folder, folder.resolve("lib"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> listing = Files.list(dir)) {
                listing.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().forEach(jars::add);
            } catch (IOException e) {
                problems.add(dir + ": cannot list: " + e.getMessage());
            }
        }
        return jars;
    }

    private static URL[] urls(List<Path> jars) {
        return jars.stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(p + ": " + e.getMessage(), e);
            }
        }).toArray(URL[]::new);
    }
}
