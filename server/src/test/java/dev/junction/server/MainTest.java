package dev.junction.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.TestConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exit codes users and scripts rely on, and what is printed with them. */
class MainTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void exitsWith2AndListsEveryProblemOfABadConfiguration() throws Exception {
        Path config = TestConfig.write(dir, """
            junction {
              systems { erp { connector = soap } }
              integrations { orders { source { system = shop, webhook { path = "x" } }, targets = [] } }
            }
            """);

        int code = Main.run(new String[] {config.toString()}, Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, code);
        String printed = err.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("3 problems in the configuration:"), printed);
        assertTrue(printed.contains("junction.conf:2: junction.systems.erp.connector = \"soap\": unknown connector"), printed);
        assertTrue(printed.contains("junction.integrations.orders.source.system = \"shop\": unknown system"), printed);
        assertTrue(printed.contains("junction.integrations.orders.targets = []: must be a non-empty list"), printed);
        assertTrue(!printed.contains("Exception"), printed);
    }

    @Test
    void exitsWith2AndNamesABrokenPlugin() throws Exception {
        Path config = TestConfig.write(dir, "junction {}");
        Path plugins = java.nio.file.Files.createDirectories(dir.resolve("plugins"));
        java.nio.file.Files.write(plugins.resolve("not-a-plugin.jar"), new byte[] {'P', 'K', 3, 4});

        int code = Main.run(new String[] {config.toString()}, Map.of("JUNCTION_PLUGINS_DIR", plugins.toString()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, code);
        String printed = err.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("1 problem with the plugins:\n  - " + plugins.resolve("not-a-plugin.jar")), printed);
        assertEquals(2, printed.lines().count(), printed);
    }

    @Test
    void exitsWith1WhenTheJournalDatabaseCannotBeReached() throws Exception {
        Path config = TestConfig.write(dir, "junction {}");

        int code = Main.run(new String[] {config.toString()},
                Map.of("JUNCTION_DB_URL", "jdbc:postgresql://127.0.0.1:1/junction", "JUNCTION_DB_USER", "junction"),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(1, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("cannot use the journal database at jdbc:postgresql://127.0.0.1:1/junction"),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void testRunsAFoldersPipelineTestsWithoutStartingANode() throws Exception {
        int code = Main.run(new String[] {"test", TestConfig.quickstart().toString()}, Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitsWith2WithoutAConfigurationFile() throws Exception {
        assertEquals(2, Main.run(new String[0], Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: java -jar junction-server.jar <junction.conf>"));
    }
}
