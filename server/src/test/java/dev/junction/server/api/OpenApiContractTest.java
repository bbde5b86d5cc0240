package dev.junction.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/openapi.json} and the routes agree both ways: every documented method and path is routed, every other
 * method on a documented path is 405, every path segment the routes classes match is documented; and real responses,
 * successes and problems, validate against the document's schemas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");
    /** Pekko's own answer for a path no route matches; a route's own 404 names what it did not find. */
    private static final String UNROUTED = "The requested resource could not be found.";

    @TempDir
    static Path dir;
    private RecordingTarget target;
    private RunningServer server;
    private JsonNode doc;
    private String deadLetterId;

    @BeforeAll
    void start() throws Exception {
        target = new RecordingTarget().respondWith((key, n) -> key.startsWith("poison") ? 400 : 200);
        // With a channel and a subscriber, so GET /channels answers with one of each.
        String config = TestConfig.webhookToHttp(target.baseUrl(), "resilience.retry { max-attempts = 1 }")
                .replace("  integrations {", """
                  channels { orders { schema = "schemas/webshop-order.schema.json" } }
                  integrations {
                    orders-copy { source { channel = orders, versions = [1] }, targets = [ { system = erp, http { path = "/copies" } } ] }
                """);
        server = RunningServer.start(TestConfig.write(dir, config), dir.resolve("data"), Map.of());
        HttpResponse<String> response = server.get("/api/v1/openapi.json");
        assertEquals(200, response.statusCode());
        doc = JSON.readTree(response.body());
        deadLetterId = server.postAccepted("/webhooks/webshop/orders", "poison-1", TestConfig.order("SO-P"));
        server.postAccepted("/webhooks/webshop/orders", "order-1", TestConfig.order("SO-1"));
        Await.until(Duration.ofSeconds(20), () -> {
            try {
                return server.get("/api/v1/dead-letters/" + deadLetterId).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }, () -> "no dead letter");
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        target.close();
    }

    @Test
    void everyDocumentedOperationIsRoutedAndEveryOtherMethodIs405() throws Exception {
        assertEquals("3.1.0", doc.get("openapi").asText());
        assertEquals("bearer", doc.at("/components/securitySchemes/bearer/scheme").asText());
        List<String> wrong = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String path = "/api/v1" + entry.getKey().replace("{messageId}", deadLetterId).replace("{name}", "orders-to-erp")
                    .replace("{operationId}", "0190d3b8-0000-7000-8000-000000000000").replace("{runId}", "0190d3b8-0000-7000-8000-000000000000");
            for (String method : METHODS) {
                boolean documented = entry.getValue().has(method.toLowerCase());
                // bodies that change nothing: a filter without matches, invalid HOCON, a reprocess without a reason
                String body = method.equals("PUT") ? "junction {" : method.equals("GET") ? "" : "{\"integration\":\"none-such\"}";
                if (entry.getKey().equals("/integrations/{name}/reprocess") || entry.getKey().endsWith("/{messageId}/replay")
                        || entry.getKey().endsWith("/{messageId}/discard")) {
                    body = "{\"unknown-field\":1}";
                }
                HttpResponse<String> response = send(method, path, body);
                boolean routed = response.statusCode() != 405 && !(response.statusCode() == 404 && response.body().contains(UNROUTED));
                if (!documented && routed && otherTemplateAnswers(entry.getKey(), method)) {
                    continue; // GET /dead-letters/replay is GET /dead-letters/{messageId} with messageId "replay": documented there
                }
                if (documented != routed) {
                    wrong.add(method + " " + entry.getKey() + (documented ? " is documented but not routed: " : " is routed but not documented: ")
                            + response.statusCode());
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    /** Whether another documented path with a parameter in place of a literal segment of {@code path} has {@code method}. */
    private boolean otherTemplateAnswers(String path, String method) {
        String[] segments = path.split("/");
        for (Iterator<String> it = doc.get("paths").fieldNames(); it.hasNext(); ) {
            String other = it.next();
            String[] parts = other.split("/");
            if (other.equals(path) || parts.length != segments.length || !doc.get("paths").get(other).has(method.toLowerCase())) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < parts.length && matches; i++) {
                matches = parts[i].equals(segments[i]) || (parts[i].startsWith("{") && !segments[i].startsWith("{"));
            }
            if (matches) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyPathSegmentTheRoutesMatchIsDocumented() throws Exception {
        Set<String> documented = new TreeSet<>();
        doc.get("paths").fieldNames().forEachRemaining(p -> documented.addAll(List.of(p.split("/"))));
        // The directives, statically imported: not a call on an object such as Jackson's node.path("name").
        Pattern literal = Pattern.compile("(?<![.\\w])(?:path|pathPrefix)\\(\"([^\"]+)\"");
        Set<String> routed = new TreeSet<>();
        try (var files = Files.list(Path.of("src/main/java/dev/junction/server/api"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = literal.matcher(Files.readString(file));
                while (m.find()) {
                    routed.add(m.group(1));
                }
            }
        }
        routed.removeAll(Set.of("api", "v1"));
        assertTrue(routed.size() > 8, "the routes were read: " + routed);
        routed.removeAll(documented);
        assertTrue(routed.isEmpty(), "routed but not in openapi.json: " + routed);
    }

    @Test
    void realResponsesValidateAgainstTheDocumentsSchemas() throws Exception {
        List<String> failures = new ArrayList<>();
        check(failures, "/dead-letters", "get", send("GET", "/api/v1/dead-letters", ""));
        check(failures, "/dead-letters/{messageId}", "get", send("GET", "/api/v1/dead-letters/" + deadLetterId, ""));
        check(failures, "/dead-letters/{messageId}", "get", send("GET", "/api/v1/dead-letters/0190d3b8-0000-7000-8000-000000000000", ""));
        check(failures, "/dead-letters/audit", "get", send("GET", "/api/v1/dead-letters/audit", ""));
        check(failures, "/dead-letters/replay", "post", send("POST", "/api/v1/dead-letters/replay", "{\"integration\":\"orders-to-erp\",\"target\":\"none\"}"));
        check(failures, "/dead-letters/discard", "post", send("POST", "/api/v1/dead-letters/discard", "{}"));
        check(failures, "/messages", "get", send("GET", "/api/v1/messages?integration=orders-to-erp&key=poison-1", ""));
        check(failures, "/messages/{messageId}", "get", send("GET", "/api/v1/messages/" + deadLetterId, ""));
        check(failures, "/integrations", "get", send("GET", "/api/v1/integrations", ""));
        check(failures, "/integrations/{name}", "get", send("GET", "/api/v1/integrations/orders-to-erp", ""));
        check(failures, "/integrations/{name}", "get", send("GET", "/api/v1/integrations/none-such", ""));
        check(failures, "/integrations/reload", "post", send("POST", "/api/v1/integrations/reload", ""));
        check(failures, "/integrations/{name}/reprocess", "post", send("POST", "/api/v1/integrations/orders-to-erp/reprocess",
                "{\"from\":\"2020-01-01T00:00:00Z\",\"to\":\"2020-01-02T00:00:00Z\",\"target\":\"erp\",\"reason\":\"contract test\"}"));
        check(failures, "/configuration", "put", send("PUT", "/api/v1/configuration", "junction { inbox { partitions = zero } }"));
        check(failures, "/systems", "get", send("GET", "/api/v1/systems", ""));
        check(failures, "/systems/{name}", "get", send("GET", "/api/v1/systems/erp", ""));
        check(failures, "/connectors", "get", send("GET", "/api/v1/connectors", ""));
        check(failures, "/connectors/{name}", "get", send("GET", "/api/v1/connectors/http", ""));
        check(failures, "/operations/{operationId}", "get", send("GET", "/api/v1/operations/0190d3b8-0000-7000-8000-000000000000", ""));
        check(failures, "/activity", "get", send("GET", "/api/v1/activity", ""));
        check(failures, "/activity", "get", send("GET", "/api/v1/activity?minutes=0", ""));
        check(failures, "/runs", "get", send("GET", "/api/v1/runs?integration=orders-to-erp&status=failed&limit=5", ""));
        check(failures, "/runs", "get", send("GET", "/api/v1/runs?status=done", ""));
        check(failures, "/runs/{runId}", "get", send("GET", "/api/v1/runs/0190d3b8-0000-7000-8000-000000000000", ""));
        check(failures, "/me", "get", send("GET", "/api/v1/me", ""));
        check(failures, "/channels", "get", send("GET", "/api/v1/channels", ""));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** Validates a response against the schema the document gives for its path, method and status. */
    private void check(List<String> failures, String path, String method, HttpResponse<String> response) throws Exception {
        JsonNode operation = doc.get("paths").path(path).path(method);
        if (operation.isMissingNode()) {
            failures.add(method + " " + path + " is not in the document");
            return;
        }
        JsonNode declared = operation.get("responses").get(Integer.toString(response.statusCode()));
        if (declared == null) {
            failures.add(method + " " + path + " answered " + response.statusCode() + ", which the document does not declare: " + response.body());
            return;
        }
        if (declared.has("$ref")) {
            declared = doc.at(declared.get("$ref").asText().substring(1));
        }
        String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0];
        JsonNode content = declared.get("content").get(type);
        if (content == null) {
            failures.add(method + " " + path + " " + response.statusCode() + ": content type " + type + " not declared");
            return;
        }
        if (!type.contains("json")) {
            return;
        }
        ObjectNode schema = JSON.createObjectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.set("allOf", JSON.createArrayNode().add(content.get("schema")));
        schema.set("components", doc.get("components"));
        JsonSchema compiled = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        Set<ValidationMessage> errors = compiled.validate(JSON.readTree(response.body()));
        if (!errors.isEmpty()) {
            failures.add(method + " " + path + " " + response.statusCode() + ": " + errors + " in " + response.body());
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(20));
        if (!body.isEmpty()) {
            request.header("Content-Type", method.equals("PUT") ? "text/plain" : "application/json");
        }
        return CLIENT.send(request.method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
