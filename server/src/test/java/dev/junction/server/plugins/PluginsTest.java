package dev.junction.server.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.PluginJars;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connectors dropped into a plugin folder: built here from the SPI alone, as a third party builds one, never on the server's
 * class path. Two plugins bundle different versions of one library and each sees its own; broken plugins stop the start with
 * one line each naming the plugin.
 */
class PluginsTest {
    private static final String SERVICES = "META-INF/services/dev.junction.connectors.api.Connector";

    @TempDir
    Path dir;

    @Test
    void twoPluginsWithTwoVersionsOfOneLibraryBothWorkInOneServer() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path lib1 = library(dir.resolve("lib-1.0.jar"), "1.0");
        Path lib2 = library(dir.resolve("lib-2.0.jar"), "2.0");
        plugin(plugins.resolve("tally-a"), "tallya", "TallyA", lib1);
        plugin(plugins.resolve("tally-b"), "tallyb", "TallyB", lib2);

        // The server itself has a third version of the library: a plugin must still see its own (plugin first).
        Path serverLib = library(dir.resolve("lib-server.jar"), "of the server");
        ClassLoader serverLoader = new java.net.URLClassLoader(new java.net.URL[] {serverLib.toUri().toURL()}, getClass().getClassLoader());
        ConnectorRegistry registry = ConnectorRegistry.load(serverLoader, plugins);
        assertTrue(registry.names().containsAll(List.of("tallya", "tallyb", "http", "file")), registry.names()::toString);
        assertTrue(registry.all().stream().filter(l -> l.connector().name().equals("tallya")).findFirst().orElseThrow()
                .origin().endsWith("tally-a"), "the origin names the plugin folder");

        Path out = dir.resolve("out");
        Path config = TestConfig.write(dir.resolve("conf"), """
            junction {
              http.port = 0
              node.port = 0
              systems {
                webshop { connector = http }
                a { connector = tallya, file = "%s" }
                b { connector = tallyb, file = "%s" }
              }
              integrations {
                fan-out {
                  source { system = webshop, webhook { path = "orders" } }
                  targets = [ { system = a }, { system = b } ]
                }
              }
            }
            """.formatted(out.resolve("a.txt"), out.resolve("b.txt")));
        try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of(), registry)) {
            server.postAccepted("/webhooks/orders", "order-1", "{\"id\":1}");
            Await.until(Duration.ofSeconds(30), () -> Files.exists(out.resolve("a.txt")) && Files.exists(out.resolve("b.txt")),
                    () -> "both plugins' sinks wrote");
        }
        assertEquals("order-1 with lib 1.0", Files.readString(out.resolve("a.txt")).trim());
        assertEquals("order-1 with lib 2.0", Files.readString(out.resolve("b.txt")).trim());
    }

    @Test
    void brokenPluginsStopTheStartWithOneLineEach() throws Exception {
        Path plugins = dir.resolve("plugins");
        // a jar with no connector inside
        PluginJars.build(plugins.resolve("empty.jar"), Map.of("com.example.empty.Nothing", "package com.example.empty; public class Nothing {}"),
                Map.of(), List.of());
        // a connector whose class cannot be loaded (its library is not in the plugin)
        Path lib = library(dir.resolve("lib-1.0.jar"), "1.0");
        String needsLib = connectorSource("com.example.broken", "Broken", "broken")
                .replace("public String name()", "public Broken() { com.example.shared.Lib.version(); }\n    public String name()");
        Path broken = PluginJars.build(plugins.resolve("broken.jar"), Map.of("com.example.broken.Broken", needsLib),
                Map.of(SERVICES, "com.example.broken.Broken\n"), List.of(lib));
        // two plugins claiming one name
        plugin(plugins.resolve("twin-1"), "twin", "TwinOne", lib);
        plugin(plugins.resolve("twin-2"), "twin", "TwinTwo", lib);
        // and one claiming a built-in name
        plugin(plugins.resolve("fake-http"), "http", "FakeHttp", lib);

        PluginProblem problem = assertThrows(PluginProblem.class, () -> ConnectorRegistry.load(getClass().getClassLoader(), plugins));
        List<String> lines = problem.lines();
        assertTrue(lines.get(0).startsWith("4 problems with the plugins"), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains("empty.jar: no connector inside")), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains(broken.toString()) && l.contains("could not be instantiated") && l.contains("com.example.shared.Lib")), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains("twin-2: connector 'twin'") && l.contains("already provided by")
                && l.contains("twin-1")), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains("fake-http: connector 'http'") && l.contains("built-in")), lines::toString);
        assertTrue(lines.stream().noneMatch(l -> l.contains("\tat ")), "no stack trace");
    }

    /** A library jar whose {@code Lib.version()} answers {@code version}. */
    private static Path library(Path jar, String version) throws Exception {
        return PluginJars.build(jar, Map.of("com.example.shared.Lib",
                "package com.example.shared; public final class Lib { public static String version() { return \"" + version + "\"; } }"),
                Map.of(), List.of());
    }

    /** A plugin folder: the connector's jar, and {@code library} under lib/. */
    private static void plugin(Path folder, String name, String className, Path library) throws Exception {
        String pkg = "com.example." + className.toLowerCase(java.util.Locale.ROOT);
        PluginJars.build(folder.resolve(name + ".jar"), Map.of(pkg + "." + className, connectorSource(pkg, className, name)),
                Map.of(SERVICES, pkg + "." + className + "\n"), List.of(library));
        Files.createDirectories(folder.resolve("lib"));
        Files.copy(library, folder.resolve("lib").resolve(library.getFileName()));
    }

    /** A connector whose sink appends "<key> with lib <Lib.version()>" to the system's {@code file}. */
    private static String connectorSource(String pkg, String className, String name) {
        return """
            package %s;

            import dev.junction.connectors.api.*;
            import java.nio.file.*;
            import java.util.Optional;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.CompletionStage;

            public final class %s implements Connector {
                public String name() { return "%s"; }
                public ConfigSpec systemSpec() {
                    return ConfigSpec.of("A test plugin.", ConfigField.string("file").required().description("Where to write."));
                }
                public Optional<SinkFactory> sink() {
                    return Optional.of(new SinkFactory() {
                        public ConfigSpec spec() { return ConfigSpec.empty("Writes the key and the library version."); }
                        public SinkInstance create(SinkContext context) {
                            Path file = Path.of(context.systemConfig().getString("file"));
                            return record -> {
                                try {
                                    Files.createDirectories(file.getParent());
                                    Files.writeString(file, record.idempotencyKey() + " with lib " + com.example.shared.Lib.version() + "\\n",
                                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                                    return CompletableFuture.completedFuture(null);
                                } catch (java.io.IOException e) {
                                    return CompletableFuture.failedFuture(new RetriableException("io", e.toString(), e));
                                }
                            };
                        }
                    });
                }
            }
            """.formatted(pkg, className, name);
    }
}
