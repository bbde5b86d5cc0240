package dev.junction.server.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.config.ConfigLoader;
import dev.junction.server.config.InvalidConfigException;
import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lookup tables against a running server: a mapping reads {@code lookup("store-accounts", .storeId)}; each miss rule does what
 * it declares; a changed table takes effect on reload as a new revision and the lineage records the table version that mapped
 * each message; {@code PUT /api/v1/lookups/<name>} refuses a bad table without changing anything and applies a good one; a
 * table's mistakes are configuration problems with the file, the path and the line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LookupTablesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ConnectorRegistry CONNECTORS = ConnectorRegistry.load(LookupTablesTest.class.getClassLoader());
    private static final String TABLE_V1 = "storeId,account\nS1,4711\nS2,4712\n";
    private static final String TABLE_V2 = "storeId,account\nS1,5811\nS2,4712\n";

    @TempDir
    static Path dir;
    private Path config;
    private Path table;
    private RecordingTarget erp;
    private RunningServer server;
    private String version1;
    private String firstMessage;

    @BeforeAll
    void start() throws Exception {
        erp = new RecordingTarget();
        table = dir.resolve("lookups/store-accounts.csv");
        Files.createDirectories(table.getParent());
        Files.writeString(table, TABLE_V1);
        Files.createDirectories(dir.resolve("mappings"));
        Files.writeString(dir.resolve("mappings/account.jslt"), """
            // the ERP's account for the shop's store
            { "order": .id, "account": lookup("store-accounts", .storeId) }
            """);
        config = dir.resolve("junction.conf");
        Files.writeString(config, config(erp.baseUrl()));
        server = RunningServer.start(config, dir.resolve("data"), Map.of());
    }

    private static String config(String erpUrl) {
        return """
            junction {
              http.port = 0
              node.port = 0
              inbox.partitions = 2
              lookups { store-accounts { file = "lookups/store-accounts.csv" } }
              systems {
                webshop { connector = http }
                erp { connector = http, base-url = "%s", resilience.retry.max-attempts = 1 }
              }
              integrations {
                strict {
                  source { system = webshop, webhook { path = "strict" } }
                  steps = [ { map { mapping = "mappings/account.jslt", version = 1 } } ]
                  targets = [ { system = erp, http { method = POST, path = "/strict" } } ]
                }
                lenient {
                  source { system = webshop, webhook { path = "lenient" } }
                  steps = [ { map { mapping = "mappings/account.jslt", version = 1, on-lookup-miss = null } } ]
                  targets = [ { system = erp, http { method = POST, path = "/lenient" } } ]
                }
                defaulted {
                  source { system = webshop, webhook { path = "defaulted" } }
                  steps = [ { map { mapping = "mappings/account.jslt", version = 1, on-lookup-miss { default = "9999" } } } ]
                  targets = [ { system = erp, http { method = POST, path = "/defaulted" } } ]
                }
                known-stores {
                  source { system = webshop, webhook { path = "known" } }
                  steps = [ { filter { when = "lookup(\\"store-accounts\\", .storeId) != null", on-lookup-miss = null } } ]
                  targets = [ { system = erp, http { method = POST, path = "/known" } } ]
                }
              }
            }
            """.formatted(erpUrl);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        erp.close();
    }

    @Test
    @Order(1)
    void aMappingReadsTheTableAndTheLineageRecordsItsVersion() throws Exception {
        JsonNode tables = get("/api/v1/lookups");
        version1 = tables.get("items").get(0).get("version").asText();
        assertEquals(2, tables.get("items").get(0).get("keys").asInt(), tables::toString);
        firstMessage = server.postAccepted("/webhooks/strict", "A1", "{\"id\":\"A1\",\"storeId\":\"S1\"}");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("A1"), () -> "A1 not delivered");
        assertEquals("4711", JSON.readTree(erp.lastBody("A1")).get("account").asText());
        JsonNode delivery = lineage(firstMessage).get("deliveries").get(0);
        System.out.println("lineage of A1 records lookups " + delivery.get("lookups"));
        assertEquals(List.of("store-accounts@" + version1), JSON.convertValue(delivery.get("lookups"), List.class));
    }

    @Test
    @Order(2)
    void aMissFollowsTheStepsDeclaredRule() throws Exception {
        String strict = server.postAccepted("/webhooks/strict", "B1", "{\"id\":\"B1\",\"storeId\":\"S9\"}");
        server.postAccepted("/webhooks/lenient", "B2", "{\"id\":\"B2\",\"storeId\":\"S9\"}");
        server.postAccepted("/webhooks/defaulted", "B3", "{\"id\":\"B3\",\"storeId\":\"S9\"}");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().containsAll(List.of("B2", "B3")), () -> "B2, B3 not delivered");
        // null: JSLT leaves a key whose value is null out of the object it builds
        assertTrue(JSON.readTree(erp.lastBody("B2")).path("account").isMissingNode(), () -> "null rule: " + erp.lastBody("B2"));
        assertEquals("9999", JSON.readTree(erp.lastBody("B3")).get("account").asText(), () -> "default rule: " + erp.lastBody("B3"));
        Await.until(Duration.ofSeconds(20), () -> "dead-lettered".equals(lineage(strict).path("status").asText()),
                () -> "B1 not dead-lettered: " + lineage(strict));
        JsonNode target = lineage(strict).get("deliveries").get(0).get("targets").get(0);
        System.out.println("dead-letter rule: " + target.get("errorClass") + " " + target.get("detail"));
        assertEquals("lookup-miss", target.get("errorClass").asText());
        assertTrue(target.get("detail").asText().contains("lookup table store-accounts") && target.get("detail").asText().contains("\"S9\""),
                target::toString);
        assertEquals(0, erp.requests("B1"), "a dead-lettered miss never reaches the target");

        // a predicate: a filter step lets through the stores the table knows
        String unknown = server.postAccepted("/webhooks/known", "C9", "{\"id\":\"C9\",\"storeId\":\"S9\"}");
        server.postAccepted("/webhooks/known", "C1", "{\"id\":\"C1\",\"storeId\":\"S1\"}");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("C1"), () -> "C1 not delivered");
        Await.until(Duration.ofSeconds(20), () -> "filtered".equals(lineage(unknown).path("status").asText()),
                () -> "C9 not filtered: " + lineage(unknown));
        assertEquals(0, erp.requests("C9"));
    }

    @Test
    @Order(3)
    void aChangedTableTakesEffectOnReloadAsANewRevision() throws Exception {
        String revisionBefore = integration("strict").get("revision").asText();
        Files.writeString(table, TABLE_V2);
        HttpResponse<String> reload = server.postJson("/api/v1/integrations/reload", "");
        assertEquals(200, reload.statusCode(), reload::body);
        String version2 = get("/api/v1/lookups/store-accounts").get("version").asText();
        System.out.println("reload: " + JSON.readTree(reload.body()).get("changes"));
        assertTrue(reload.body().contains("lookup store-accounts: version " + version1 + " -> " + version2), reload::body);
        assertTrue(!revisionBefore.equals(integration("strict").get("revision").asText()), "the table is part of the revision");
        assertEquals(List.of("store-accounts@" + version2), JSON.convertValue(integration("strict").get("lookups"), List.class));
        String second = server.postAccepted("/webhooks/strict", "A2", "{\"id\":\"A2\",\"storeId\":\"S1\"}");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("A2"), () -> "A2 not delivered");
        assertEquals("5811", JSON.readTree(erp.lastBody("A2")).get("account").asText());
        assertEquals(List.of("store-accounts@" + version2),
                JSON.convertValue(lineage(second).get("deliveries").get(0).get("lookups"), List.class));
        assertEquals(List.of("store-accounts@" + version1),
                JSON.convertValue(lineage(firstMessage).get("deliveries").get(0).get("lookups"), List.class), "A1 keeps its version");
    }

    @Test
    @Order(4)
    void aBadTablePutIsRefusedAndChangesNothing() throws Exception {
        byte[] before = Files.readAllBytes(table);
        String version = get("/api/v1/lookups/store-accounts").get("version").asText();
        for (String bad : List.of("storeId,account\nS1,1\nS1,2\n", "storeId,account\nS1,1,extra\n", "storeId\nS1\n")) {
            HttpResponse<String> refused = put("/api/v1/lookups/store-accounts", bad);
            System.out.println("PUT refused: " + refused.statusCode() + " " + JSON.readTree(refused.body()).get("problems"));
            assertEquals(422, refused.statusCode(), refused::body);
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
            assertTrue(refused.body().contains("line "), refused::body);
        }
        assertTrue(put("/api/v1/lookups/store-accounts", "storeId,account\nS1,1\nS1,2\n").body().contains("duplicate key 'S1' (first on line 2)"));
        assertEquals(new String(before), Files.readString(table), "the file is as it was");
        assertEquals(version, get("/api/v1/lookups/store-accounts").get("version").asText(), "the running table is as it was");
        assertEquals(404, put("/api/v1/lookups/no-such-table", TABLE_V1).statusCode());

        HttpResponse<String> applied = put("/api/v1/lookups/store-accounts", "storeId,account\nS1,6911\n");
        assertEquals(200, applied.statusCode(), applied::body);
        server.postAccepted("/webhooks/strict", "A3", "{\"id\":\"A3\",\"storeId\":\"S1\"}");
        Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("A3"), () -> "A3 not delivered");
        assertEquals("6911", JSON.readTree(erp.lastBody("A3")).get("account").asText());
    }

    @Test
    @Order(5)
    void aTablesMistakesAreConfigurationProblemsWithFilePathAndLine() throws Exception {
        Path other = dir.resolve("broken");
        Files.createDirectories(other.resolve("lookups"));
        Files.createDirectories(other.resolve("mappings"));
        Files.writeString(other.resolve("lookups/dup.csv"), "k,v\na,1\nb,2\na,3\n");
        Files.writeString(other.resolve("lookups/ragged.csv"), "k,v,w\na,1,2\nb,2\n");
        Files.writeString(other.resolve("mappings/account.jslt"), "{ \"a\": lookup(\"dup\", .k),\n \"b\": lookup(\"nope\", .k) }");
        Path file = other.resolve("junction.conf");
        Files.writeString(file, config("http://127.0.0.1:1").replace("lookups { store-accounts { file = \"lookups/store-accounts.csv\" } }",
                "lookups { dup { file = \"lookups/dup.csv\" }, ragged { file = \"lookups/ragged.csv\" }, gone { file = \"lookups/gone.csv\" } }"));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, CONNECTORS, Map.of()));
        String problems = String.join("\n", e.problems().stream().map(Object::toString).toList());
        System.out.println(problems);
        assertTrue(problems.contains("junction.lookups.dup.file") && problems.contains("dup.csv line 4: duplicate key 'a' (first on line 2)"), problems);
        assertTrue(problems.contains("junction.lookups.ragged.file") && problems.contains("ragged.csv line 3: 2 column(s), the header has 3"), problems);
        assertTrue(problems.contains("junction.lookups.gone.file") && problems.contains("file not found"), problems);
        assertTrue(problems.contains("junction.integrations.strict.steps.0.map.mapping") && problems.contains("line 2: lookup table 'nope' is not configured"), problems);
        assertTrue(!problems.contains("'dup' is not configured"), "a declared table with problems is reported once, where it is declared");
    }

    private JsonNode lineage(String id) {
        try {
            return get("/api/v1/messages/" + id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode integration(String name) throws Exception {
        return get("/api/v1/integrations/" + name);
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = server.get(path);
        assertEquals(200, response.statusCode(), () -> path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> put(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "text/csv").PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
