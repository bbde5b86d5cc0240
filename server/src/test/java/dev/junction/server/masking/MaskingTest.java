package dev.junction.server.masking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Personal data is masked where people look: messages with a known email, phone and line names go through an integration
 * with {@code mask}, one delivered and one dead-lettered; then every answer of the admin API about them (lineage by id and by
 * key, the dead-letter list, detail and audit) and every log line (Junction at DEBUG) is searched for the raw values. A replay
 * still sends the unmasked original to the target; a reveal shows it to the admin role only, with a reason the audit log keeps.
 */
class MaskingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String VIEWER = "viewer-token-for-masking-3e5a";
    private static final String OPERATOR = "operator-token-for-masking-52b8";
    private static final String ADMIN = "admin-token-for-masking-7c1d9f";
    private static final String EMAIL = "ada.lovelace@example.org";
    private static final String PHONE = "+44 20 7946 0958";
    private static final String LINE_NAME = "Analytical Engine Lamp";

    @TempDir
    Path dir;

    private static String order(String id) {
        return """
            {"id":"%s","currency":"EUR","customer":{"email":"%s","name":"Ada","phone":"%s"},
             "lines":[{"sku":"LAMP-01","qty":2,"price":19.5,"name":"%s"},{"sku":"BULB-02","qty":1,"price":3.0}]}"""
                .formatted(id, EMAIL, PHONE, LINE_NAME);
    }

    @Test
    void maskedValuesAppearInNoAnswerAndNoLogLineAndReplaySendsTheOriginal() throws Exception {
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                lines.add(event.getLoggerName() + " " + event.getFormattedMessage()
                        + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy())));
            }
        };
        capture.setContext(context);
        capture.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger junction = context.getLogger("dev.junction");
        Logger audit = context.getLogger("junction.audit");
        Level[] before = {root.getLevel(), junction.getLevel(), audit.getLevel()};
        root.addAppender(capture);
        root.setLevel(Level.INFO);
        junction.setLevel(Level.DEBUG);
        audit.setLevel(Level.INFO);
        List<String> answers = new ArrayList<>();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        refused.add("M2");
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> refused.contains(key) ? 400 : 200)) {
            String config = TestConfig.webhookToHttp(erp.baseUrl(), "").replace("junction {", """
                    junction {
                      admin.tokens = [
                        { name = "dash", role = viewer, token = "%s" }
                        { name = "ops", role = operator, token = "%s" }
                        { name = "root", role = admin, token = "%s" }
                      ]
                    """.formatted(VIEWER, OPERATOR, ADMIN)).replace("orders-to-erp {", """
                    orders-to-erp {
                      mask = ["/customer/email", "/customer/phone", "/lines/*/name"]""").replace("  integrations {", """
                      integrations {
                        lines {
                          source { system = webshop, webhook { path = "webshop/lines" } }
                          mask = ["/customer/email", "/customer/phone", "/lines/*/name"]
                          steps = [ { split { items = ".lines", key = ".sku" } }, { map { mapping = "mappings/line.jslt", version = 1 } } ]
                          targets = [ { system = erp, http { method = POST, path = "/lines" } } ]
                        }
                        blocked-customers {
                          source { system = webshop, webhook { path = "webshop/check" } }
                          mask = ["/customer/email", "/customer/phone", "/lines/*/name"]
                          steps = [ { map { mapping = "mappings/check.jslt", version = 1 } } ]
                          targets = [ { system = erp, http { method = POST, path = "/check" } } ]
                        }""");
            java.nio.file.Files.createDirectories(dir.resolve("mappings"));
            // an element of a split: its line's name is masked in its own lineage, and its mapping refuses the first line
            java.nio.file.Files.writeString(dir.resolve("mappings/line.jslt"),
                    "if (.name) error(\"line \" + .name + \" is discontinued\") else { \"article\": .sku }\n");
            // an error that quotes the masked value: its detail is shown and logged, masked
            java.nio.file.Files.writeString(dir.resolve("mappings/check.jslt"),
                    "if (.id == \"M3\") error(\"customer \" + .customer.email + \" is blocked\") else .\n");
            try (RunningServer server = RunningServer.start(TestConfig.write(dir, config), dir.resolve("data"), Map.of())) {
                String delivered = server.postAccepted("/webhooks/webshop/orders", "M1", order("M1"));
                String dead = server.postAccepted("/webhooks/webshop/orders", "M2", order("M2"));
                String blocked = server.postAccepted("/webhooks/webshop/check", "M3", order("M3"));
                String split = server.postAccepted("/webhooks/webshop/lines", "M4", order("M4"));
                Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("M1"), () -> "M1 not delivered");
                Await.until(Duration.ofSeconds(20), () -> admin(server, "GET", "/api/v1/dead-letters/" + dead, "", VIEWER).statusCode() == 200,
                        () -> "M2 not dead-lettered");
                Await.until(Duration.ofSeconds(20), () -> admin(server, "GET", "/api/v1/dead-letters/" + blocked, "", VIEWER).statusCode() == 200,
                        () -> "M3 not dead-lettered");
                Await.until(Duration.ofSeconds(20), () -> "split".equals(status(server, split)), () -> "M4 not split");
                com.fasterxml.jackson.databind.JsonNode elements = JSON.readTree(admin(server, "GET", "/api/v1/messages/" + split, "", VIEWER).body())
                        .get("deliveries").get(0).get("children");
                assertEquals(2, elements.size(), elements::toString);
                for (com.fasterxml.jackson.databind.JsonNode element : elements) {
                    Await.until(Duration.ofSeconds(20), () -> Set.of("delivered", "dead-lettered").contains(status(server, element.asText())),
                            () -> element + " not settled");
                    answers.add("element -> " + admin(server, "GET", "/api/v1/messages/" + element.asText(), "", VIEWER).body());
                }
                assertTrue(erp.applied().contains("M4/BULB-02"), "the line without a name was delivered");
                for (String path : List.of("/api/v1/messages/" + delivered, "/api/v1/messages/" + dead,
                        "/api/v1/messages?integration=orders-to-erp&key=M1", "/api/v1/dead-letters",
                        "/api/v1/dead-letters?integration=orders-to-erp", "/api/v1/dead-letters/" + dead, "/api/v1/dead-letters/audit",
                        "/api/v1/messages/" + blocked, "/api/v1/dead-letters/" + blocked, "/api/v1/dead-letters?integration=blocked-customers",
                        "/api/v1/dead-letters?integration=lines", "/api/v1/messages/" + split,
                        "/api/v1/integrations/orders-to-erp")) {
                    HttpResponse<String> answer = admin(server, "GET", path, "", VIEWER);
                    assertEquals(200, answer.statusCode(), () -> path + ": " + answer.body());
                    answers.add(path + " -> " + answer.body());
                }
                String lineage = admin(server, "GET", "/api/v1/messages/" + delivered, "", VIEWER).body();
                String raw = JSON.readTree(lineage).get("raw").asText();
                assertTrue(raw.contains("\"email\":\"***\"") && raw.contains("\"phone\":\"***\"") && raw.contains("\"name\":\"***\"")
                        && raw.contains("LAMP-01") && raw.contains("\"name\":\"Ada\""), () -> "masked where the pointers say only: " + raw);
                assertTrue(lineage.contains("\"outputRecomputed\":true"), () -> "the mapping's output is shown, masked: " + lineage);

                // replay: the target gets the unmasked original, mapped
                refused.clear();
                HttpResponse<String> replay = admin(server, "POST", "/api/v1/dead-letters/" + dead + "/replay", "{\"reason\":\"ERP fixed\"}", ADMIN);
                assertEquals(200, replay.statusCode(), replay::body);
                answers.add("replay -> " + replay.body());
                Await.until(Duration.ofSeconds(20), () -> erp.applied().contains("M2"), () -> "M2 not delivered after its replay");
                assertTrue(erp.lastBody("M2").contains(EMAIL), () -> "the target got the original: " + erp.lastBody("M2"));

                // reveal: admin only, with a reason, audited
                HttpResponse<String> byViewer = admin(server, "POST", "/api/v1/messages/" + delivered + "/reveal", "{\"reason\":\"support case 12\"}", VIEWER);
                assertEquals(403, byViewer.statusCode(), byViewer::body);
                answers.add("reveal by viewer -> " + byViewer.body());
                HttpResponse<String> byOperator = admin(server, "POST", "/api/v1/messages/" + delivered + "/reveal", "{\"reason\":\"support case 12\"}", OPERATOR);
                assertEquals(403, byOperator.statusCode(), byOperator::body);
                assertTrue(byOperator.body().contains("needs the role admin"), byOperator::body);
                answers.add("reveal by operator -> " + byOperator.body());
                HttpResponse<String> noReason = admin(server, "POST", "/api/v1/messages/" + delivered + "/reveal", "{}", ADMIN);
                assertEquals(400, noReason.statusCode(), noReason::body);
                HttpResponse<String> revealed = admin(server, "POST", "/api/v1/messages/" + delivered + "/reveal", "{\"reason\":\"support case 12\"}", ADMIN);
                assertEquals(200, revealed.statusCode(), revealed::body);
                assertTrue(revealed.body().contains(EMAIL) && revealed.body().contains(PHONE) && revealed.body().contains(LINE_NAME), revealed::body);
                String audited = admin(server, "GET", "/api/v1/dead-letters/audit?integration=orders-to-erp", "", VIEWER).body();
                answers.add("audit after the reveal -> " + audited);
                List<com.fasterxml.jackson.databind.JsonNode> reveals = new ArrayList<>();
                JSON.readTree(audited).get("items").forEach(op -> {
                    if (op.get("action").asText().equals("revealed")) {
                        reveals.add(op);
                    }
                });
                assertEquals(1, reveals.size(), () -> "one reveal recorded, the refused ones not: " + audited);
                assertEquals(List.of(delivered, "root", "support case 12"), List.of(reveals.get(0).get("messageId").asText(),
                        reveals.get(0).get("by").asText(), reveals.get(0).get("reason").asText()), audited);
                String afterReveal = admin(server, "GET", "/api/v1/messages/" + delivered, "", VIEWER).body();
                answers.add("lineage after the reveal -> " + afterReveal);
                assertTrue(afterReveal.contains("\"action\":\"revealed\""), () -> "the lineage lists the reveal: " + afterReveal);
                String auditLine = "revealed message " + delivered + " of orders-to-erp to root (admin): support case 12";
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("junction.audit ") && l.contains(auditLine)), () -> "audited: " + lines);
            }
        } finally {
            root.detachAppender(capture);
            root.setLevel(before[0]);
            junction.setLevel(before[1]);
            audit.setLevel(before[2]);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("dead letter") && l.contains("customer *** is blocked")),
                () -> "the capture saw the dead letter's log line, masked: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("dead letter") && l.contains("line *** is discontinued")),
                () -> "the capture saw the split element's dead letter, masked: " + lines);
        int searched = 0;
        for (String value : List.of(EMAIL, PHONE, LINE_NAME)) {
            for (String answer : answers) {
                searched++;
                assertTrue(!answer.contains(value), () -> "an answer shows " + value + ": " + answer);
            }
            for (String line : lines) {
                searched++;
                assertTrue(!line.contains(value), () -> "a log line shows " + value + ": " + line);
            }
        }
        System.out.println("masking: searched " + answers.size() + " answers and " + lines.size() + " log lines for 3 values ("
                + searched + " checks): none shows one");
    }

    private static String status(RunningServer server, String messageId) {
        try {
            return JSON.readTree(admin(server, "GET", "/api/v1/messages/" + messageId, "", VIEWER).body()).path("status").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> admin(RunningServer server, String method, String path, String body, String token) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
