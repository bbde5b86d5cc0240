package dev.junction.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's tokens and roles against a running server: every role on each class of route (read, operate, replace the
 * configuration), missing and wrong tokens, the audit's {@code by}, and the routes outside the roles (webhooks, /health).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminRolesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String VIEWER = "viewer-token-0123456789abcdef";
    static final String OPERATOR = "operator-token-0123456789abcdef";
    static final String ADMIN = "admin-token-0123456789abcdef-from-a-file";

    @TempDir
    static Path dir;
    private RecordingTarget target;
    private RunningServer server;

    @BeforeAll
    void start() throws Exception {
        target = new RecordingTarget().respondWith((key, n) -> key.startsWith("poison-") ? 400 : 200);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("admin.token"), ADMIN + "\n");
        String config = TestConfig.webhookToHttp(target.baseUrl(), "resilience.retry { max-attempts = 1 }").replace("junction {", """
                junction {
                  admin.tokens = [
                    { name = "dash", role = viewer, token = "%s" }
                    { name = "ops-bot", role = operator, token = "%s" }
                    { name = "root", role = admin, token-file = "admin.token" }
                  ]
                """.formatted(VIEWER, OPERATOR));
        server = RunningServer.start(TestConfig.write(dir, config), dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        target.close();
    }

    @Test
    void withoutATokenEveryAdminRouteIs401WithABearerChallenge() throws Exception {
        for (String[] call : routes()) {
            for (String token : new String[] {null, "not-a-token-of-this-server", VIEWER + "x"}) {
                HttpResponse<String> response = send(call[0], call[1], call[2], token);
                assertEquals(401, response.statusCode(), () -> call[0] + " " + call[1] + ": " + response.body());
                assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), call[1]);
                assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
                assertEquals(401, JSON.readTree(response.body()).get("status").asInt());
            }
        }
        HttpResponse<String> basic = sendWith("GET", "/api/v1/systems", "", "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("x:" + ADMIN).getBytes()));
        assertEquals(401, basic.statusCode(), "a token sent as Basic is not a bearer token");
    }

    @Test
    void eachRoleReachesItsRoutesAndIsToldWhichRoleTheOthersNeed() throws Exception {
        // read: every role
        for (String token : List.of(VIEWER, OPERATOR, ADMIN)) {
            assertEquals(200, send("GET", "/api/v1/systems", "", token).statusCode());
            assertEquals(200, send("GET", "/api/v1/configuration", "", token).statusCode());
            assertEquals(200, send("GET", "/api/v1/dead-letters", "", token).statusCode());
        }
        // operate: operator and admin
        HttpResponse<String> refused = send("POST", "/api/v1/integrations/reload", "", VIEWER);
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(JSON.readTree(refused.body()).get("detail").asText().contains("needs the role operator"), refused.body());
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
        assertEquals(200, send("POST", "/api/v1/integrations/reload", "", OPERATOR).statusCode());
        assertEquals(200, send("POST", "/api/v1/integrations/reload", "", ADMIN).statusCode());
        assertEquals(403, send("POST", "/api/v1/dead-letters/replay", "{}", VIEWER).statusCode());
        assertEquals(200, send("POST", "/api/v1/dead-letters/replay", "{}", OPERATOR).statusCode());
        // replace the configuration: admin only
        String text = java.nio.file.Files.readString(dir.resolve("junction.conf")); // GET shows the tokens redacted
        for (String token : List.of(VIEWER, OPERATOR)) {
            HttpResponse<String> response = send("PUT", "/api/v1/configuration", text, token);
            assertEquals(403, response.statusCode(), response.body());
            assertTrue(JSON.readTree(response.body()).get("detail").asText().contains("needs the role admin"), response.body());
        }
        HttpResponse<String> replaced = send("PUT", "/api/v1/configuration", text, ADMIN);
        assertEquals(200, replaced.statusCode(), replaced.body());
    }

    @Test
    void theAuditRecordsTheTokensNameNotWhatTheCallerTyped() throws Exception {
        String id = server.postAccepted("/webhooks/webshop/orders", "poison-1", TestConfig.order("SO-P1"));
        Await.until(Duration.ofSeconds(15), () -> deadLetters() == 1, () -> "no dead letter");
        HttpResponse<String> discarded = send("POST", "/api/v1/dead-letters/" + id + "/discard",
                "{\"by\":\"someone-else\",\"reason\":\"test order\"}", OPERATOR);
        assertEquals(200, discarded.statusCode(), discarded.body());
        JsonNode audit = JSON.readTree(send("GET", "/api/v1/dead-letters/audit", "", VIEWER).body()).get("items");
        assertEquals("ops-bot", audit.get(0).get("by").asText(), audit::toString);
        assertFalse(audit.toString().contains("someone-else"), audit::toString);
    }

    @Test
    void webhooksAndHealthNeedNoAdminToken() throws Exception {
        server.postAccepted("/webhooks/webshop/orders", "plain-1", TestConfig.order("SO-1"));
        assertEquals(200, sendWith("GET", "/health", "", null).statusCode());
    }

    private int deadLetters() {
        try {
            return JSON.readTree(send("GET", "/api/v1/dead-letters", "", VIEWER).body()).get("matched").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One route of each class: read, operate, administer. */
    private static List<String[]> routes() {
        return List.of(new String[] {"GET", "/api/v1/systems", ""}, new String[] {"GET", "/api/v1/configuration", ""},
                new String[] {"POST", "/api/v1/integrations/reload", ""}, new String[] {"POST", "/api/v1/dead-letters/replay", "{}"},
                new String[] {"PUT", "/api/v1/configuration", "junction {}"}, new String[] {"GET", "/api/v1/no-such-route", ""});
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        return sendWith(method, path, body, token == null ? null : "Bearer " + token);
    }

    private HttpResponse<String> sendWith(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .method(method, body.isEmpty() && method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
