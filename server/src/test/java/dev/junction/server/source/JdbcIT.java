package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jdbc plugin in the server (the jar, the plugin from its folder) against a PostgreSQL database of the test's own. A
 * target: webhooks become rows of an orders table; a row its primary key refuses is dead-lettered at once (no retries) with
 * the database's reason visible in the dead-letter API, and once the conflict is resolved its replay writes the row. An
 * outbox source: a row whose payload is not JSON and a row without a key become dead letters with their raw bytes, and
 * every row is cleared.
 */
class JdbcIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aConstraintViolationAndUnusableOutboxRowsAreVisibleDeadLetters() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create()) {
            execute(db, "CREATE TABLE orders (order_id VARCHAR(50) PRIMARY KEY, total NUMERIC(10,2) NOT NULL)");
            execute(db, "CREATE TABLE outbox (id BIGSERIAL PRIMARY KEY, event_id VARCHAR(100), payload TEXT NOT NULL)");
            Path config = TestConfig.write(dir, """
                junction {
                  systems {
                    webshop { connector = http }
                    warehouse-db { connector = jdbc, url = "%s", user = "%s" }
                  }
                  integrations {
                    orders-to-db {
                      source { system = webshop, webhook { path = "orders" } }
                      targets = [ { system = warehouse-db, jdbc { table = orders, mode = insert,
                                    columns { order_id = "/orderNumber", total = "/total" } } } ]
                    }
                    orders-from-outbox {
                      source { system = warehouse-db, outbox { table = outbox, idempotency-key = "column:event_id", every = 100ms } }
                      targets = [ { system = warehouse-db, jdbc { table = orders, mode = upsert, key-columns = [order_id],
                                    columns { order_id = "/orderNumber", total = "/total" } } } ]
                    }
                  }
                }
                """.formatted(db.url(), PostgresDatabase.USER));
            Path plugins = Path.of(System.getProperty("test.jdbc.plugin.dir", "../connectors/jdbc/target/plugin")).toAbsolutePath();
            assertTrue(Files.isDirectory(plugins.resolve("jdbc")), "build the jdbc plugin first: " + plugins);
            try (ServerProcess server = ServerProcess.start(config, ServerProcess.freePort(), Map.of("JUNCTION_DATA_DIR",
                    dir.resolve("data").toString(), "JUNCTION_PLUGINS_DIR", plugins.toString()), dir.resolve("server.log"))) {
                assertEquals(202, post(server, "first", "{\"orderNumber\":\"A-1\",\"total\":10}").statusCode());
                Await.until(Duration.ofSeconds(30), () -> count(db, "SELECT COUNT(*) FROM orders") == 1, () -> "the first row is not written");

                // another message with the same order number: the primary key refuses it
                String second = messageId(post(server, "second", "{\"orderNumber\":\"A-1\",\"total\":20}"));
                Await.until(Duration.ofSeconds(30), () -> deadLetters(server).get("matched").asInt() == 1, () -> "not dead-lettered");
                JsonNode listed = deadLetters(server).get("items").get(0);
                assertEquals(second, listed.get("messageId").asText());
                assertEquals("constraint-violation", listed.get("errorClass").asText(), listed.toString());
                assertTrue(listed.get("detail").asText().contains("duplicate key value violates unique constraint \"orders_pkey\""),
                        "the database's reason is shown: " + listed);
                JsonNode letter = JSON.readTree(get(server, "/api/v1/dead-letters/" + second).body());
                assertEquals(1, letter.get("targets").get(0).get("history").size(), "permanent: no retries " + letter);

                // resolved: the conflicting row goes, the replay writes the second message's row
                execute(db, "DELETE FROM orders");
                assertEquals(200, replay(server, second).statusCode());
                Await.until(Duration.ofSeconds(30), () -> count(db, "SELECT COUNT(*) FROM orders WHERE total = 20") == 1,
                        () -> "the replay did not write the row");
                Await.until(Duration.ofSeconds(30), () -> deadLetters(server).get("matched").asInt() == 0, () -> "still a dead letter");
                assertEquals(2, count(db, "SELECT COUNT(*) FROM junction_processed_keys WHERE integration = 'orders-to-db'"));

                // the outbox: a good row is relayed, a payload that is not JSON and a row without a key are dead letters
                execute(db, "INSERT INTO outbox (event_id, payload) VALUES ('o-1', '{\"orderNumber\":\"B-1\",\"total\":5}'),"
                        + " ('o-2', '{\"orderNumber\": '), (NULL, '{\"orderNumber\":\"B-3\",\"total\":7}')");
                Await.until(Duration.ofSeconds(30), () -> count(db, "SELECT COUNT(*) FROM orders WHERE order_id = 'B-1'") == 1,
                        () -> "the good row is not relayed");
                Await.until(Duration.ofSeconds(30), () -> deadLetters(server, "orders-from-outbox").get("matched").asInt() == 2,
                        () -> "the two unusable rows are not dead letters: " + deadLetters(server, "orders-from-outbox"));
                Await.until(Duration.ofSeconds(30), () -> count(db, "SELECT COUNT(*) FROM outbox") == 0, () -> "rows left in the outbox");
                JsonNode unusable = deadLetters(server, "orders-from-outbox");
                java.util.Map<String, String> byClass = new java.util.TreeMap<>();
                unusable.get("items").forEach(i -> byClass.put(i.get("errorClass").asText(), i.get("messageId").asText()));
                assertEquals(java.util.Set.of("invalid-body", "invalid-key"), byClass.keySet(), unusable.toString());
                JsonNode badBody = JSON.readTree(get(server, "/api/v1/dead-letters/" + byClass.get("invalid-body")).body());
                assertTrue(badBody.toString().contains("{\\\"orderNumber\\\": "), "the raw payload is kept as it was: " + badBody);
                assertEquals(0, count(db, "SELECT COUNT(*) FROM orders WHERE order_id = 'B-3'"), "a row without a key is not relayed");
            }
        }
    }

    private HttpResponse<String> post(ServerProcess server, String key, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url("/webhooks/orders"))).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> replay(ServerProcess server, String messageId) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/dead-letters/" + messageId + "/replay")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"by\":\"test\",\"reason\":\"row removed\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(ServerProcess server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode deadLetters(ServerProcess server) {
        return deadLetters(server, "orders-to-db");
    }

    private JsonNode deadLetters(ServerProcess server, String integration) {
        try {
            return JSON.readTree(get(server, "/api/v1/dead-letters?integration=" + integration).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String messageId(HttpResponse<String> response) throws Exception {
        assertEquals(202, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("messageId").asText();
    }

    private static void execute(PostgresDatabase db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(PostgresDatabase db, String sql) {
        try (Connection c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, ""); Statement s = c.createStatement();
             var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
