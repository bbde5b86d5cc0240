package dev.junction.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's files from the jar, with no tokens configured (the quickstart): the page and every file it loads or imports,
 * with their content types; unknown or odd file names are a 404 problem; and what the page asks first (/api/v1/me) and the
 * overview's counts (/api/v1/activity) answer a loopback client without sign-in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"(/dashboard/[^\"]+)\"|from '\\./([^']+)'");

    @TempDir
    static Path dir;
    private RecordingTarget target;
    private RunningServer server;

    @BeforeAll
    void start() throws Exception {
        target = new RecordingTarget();
        String config = TestConfig.webhookToHttp(target.baseUrl(), "").replace("junction {", "junction {\n  alerts.check-interval = 1s");
        server = RunningServer.start(TestConfig.write(dir, config), dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        target.close();
    }

    @Test
    void thePageAndEveryFileItLoadsAreServedFromTheJar() throws Exception {
        HttpResponse<String> page = server.get("/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=UTF-8", page.headers().firstValue("Content-Type").orElse(""));
        Set<String> seen = new HashSet<>();
        Deque<String> toLoad = new ArrayDeque<>(references(page.body()));
        while (!toLoad.isEmpty()) {
            String path = toLoad.pop();
            if (!seen.add(path)) {
                continue;
            }
            HttpResponse<String> file = server.get(path);
            assertEquals(200, file.statusCode(), path);
            String type = file.headers().firstValue("Content-Type").orElse("");
            assertEquals(path.endsWith(".js") ? "application/javascript; charset=UTF-8" : "text/css; charset=UTF-8", type, path);
            toLoad.addAll(references(file.body()));
        }
        assertTrue(seen.containsAll(Set.of("/dashboard/app.js", "/dashboard/lib.js", "/dashboard/style.css", "/dashboard/overview.js",
                "/dashboard/dead-letters.js", "/dashboard/message.js", "/dashboard/configuration.js", "/dashboard/runs.js",
                "/dashboard/channels.js")), seen.toString());
    }

    @Test
    void aFileTheDashboardDoesNotHaveIsA404Problem() throws Exception {
        for (String path : new String[] {"/dashboard/none-such.js", "/dashboard/../pom.xml", "/dashboard/App.js", "/dashboard/"}) {
            HttpResponse<String> response = server.get(path);
            assertEquals(404, response.statusCode(), path);
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), path);
        }
    }

    @Test
    void withoutTokensALoopbackClientIsTheAdminAndSeesTheActivity() throws Exception {
        JsonNode me = JSON.readTree(server.get("/api/v1/me").body());
        assertEquals("loopback", me.get("name").asText());
        assertEquals("admin", me.get("role").asText());

        server.postAccepted("/webhooks/webshop/orders", "order-1", TestConfig.order("SO-1"));
        Await.until(Duration.ofSeconds(30), () -> activity().path("delivered").asLong() == 1,
                () -> "the delivery is not counted: " + activity());
        JsonNode activity = activity();
        assertEquals(1, activity.get("received").asLong());
        assertEquals(0, activity.get("deadLettered").asLong());
        assertEquals(60, activity.get("minutes").asInt());
        assertEquals(60, activity.get("bucketSeconds").asInt());
        assertEquals(1, activity.get("buckets").size());
        assertEquals(1, activity.at("/buckets/0/delivered").asLong());
        assertTrue(java.time.Instant.parse(activity.get("lastDeliveredAt").asText()).isAfter(java.time.Instant.now().minusSeconds(60)));

        assertEquals(400, server.get("/api/v1/activity?minutes=0").statusCode());
        assertEquals(400, server.get("/api/v1/activity?hours=1").statusCode());
    }

    private JsonNode activity() {
        try {
            for (JsonNode item : JSON.readTree(server.get("/api/v1/activity").body()).get("items")) {
                if (item.get("integration").asText().equals("orders-to-erp")) {
                    return item;
                }
            }
            return JSON.createObjectNode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> references(String text) {
        Set<String> found = new HashSet<>();
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            found.add(m.group(1) != null ? m.group(1) : "/dashboard/" + m.group(2));
        }
        return found;
    }
}
