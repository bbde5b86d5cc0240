package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.TestConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chaos} drives an outbox source on a real PostgreSQL (the jdbc plugin, from its folder): each message is inserted as a
 * row of the run's copy of the table, found accepted by its key, delivered once; a row inserted again with the same key is
 * answered as a duplicate with one effect. The user's table keeps its waiting row, and the copy is dropped afterwards.
 */
class ChaosOutboxIT {
    @TempDir
    Path dir;

    @Test
    void anOutboxSourceIsDrivenThroughACopyOfItsTable() throws Exception {
        Path plugins = Path.of(System.getProperty("test.jdbc.plugin.dir", "../connectors/jdbc/target/plugin")).toAbsolutePath();
        assertTrue(Files.isDirectory(plugins.resolve("jdbc")), "build the jdbc plugin first: " + plugins);
        try (PostgresDatabase db = PostgresDatabase.create();
             Connection sql = DriverManager.getConnection(db.url(), PostgresDatabase.USER, null)) {
            try (Statement s = sql.createStatement()) {
                s.execute("CREATE TABLE outbox (id BIGSERIAL PRIMARY KEY, event_id VARCHAR(100) NOT NULL, payload JSONB NOT NULL)");
                // a row of the user's, waiting: a started source would relay and delete it
                s.execute("INSERT INTO outbox (event_id, payload) VALUES ('real-1', '" + TestConfig.order("REAL-1") + "')");
            }
            Path conf = TestConfig.write(dir.resolve("conf"), """
                    junction {
                      systems {
                        shop-db { connector = jdbc, url = "%s", user = "%s" }
                        erp { connector = http, base-url = "http://127.0.0.1:1" }
                      }
                      integrations {
                        outbox-orders {
                          source { system = shop-db, outbox { table = outbox, idempotency-key = "column:event_id" } }
                          steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                          targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                        }
                      }
                    }""".formatted(db.url(), PostgresDatabase.USER));
            Path report = dir.resolve("report.json");
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            int code = ChaosCommand.run(List.of(conf.toString(), "--scenario", "baseline,duplicates", "--rate", "20/s", "--duration", "1s",
                            "--settle", "20s", "--report", report.toString()), Map.of("JUNCTION_PLUGINS_DIR", plugins.toString()),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                    InProcessNode.STARTER);
            String printed = out.toString(StandardCharsets.UTF_8);

            assertEquals(0, code, printed);
            assertTrue(printed.contains("source of outbox-orders: rows inserted into the run's copy outbox_chaos_"), printed);
            ChaosReports.assertDrivenCleanly(report, printed, 1);
            try (Statement s = sql.createStatement();
                 ResultSet rows = s.executeQuery("SELECT event_id FROM outbox");
                 ResultSet copies = sql.createStatement().executeQuery(
                         "SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE 'outbox_chaos_%'")) {
                assertTrue(rows.next() && rows.getString(1).equals("real-1") && !rows.next(), "chaos touched the user's outbox");
                assertTrue(copies.next() && copies.getInt(1) == 0, "the run's copy of the table was left");
            }
        }
    }
}
