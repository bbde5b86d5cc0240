package dev.junction.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Secrets never leak: a server with admin tokens (inline and from a file) and a webhook secret from a file is started, used,
 * refused, and given configurations with mistakes next to secrets; then every log line (at DEBUG for Junction, INFO for the
 * rest), every answer, the configuration as the API shows it and the stored message are searched for each secret's value.
 */
class SecretLeakTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String ADMIN = "admin-secret-token-5f1c9a7e2b";
    static final String FILE_TOKEN = "file-secret-token-8d2e4c6a0f";
    static final String WEBHOOK = "whsec_" + Base64.getEncoder().encodeToString("webhook-secret-bytes-for-leaking".getBytes());
    static final String COOKIE = "session-cookie-3b7f9d1e5a";
    static final String BEARER = "sender-bearer-6c8e0a2f4d";
    static final String NEW_SECRET = "misspelt-secret-value-9a1b3c";
    static final String SHORT = "short-tok";

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInLogsAnswersConfigurationOrStoredMessages() throws Exception {
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                lines.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy())));
            }
        };
        capture.setContext(context);
        capture.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger junction = context.getLogger("dev.junction");
        Logger pekko = context.getLogger("org.apache.pekko");
        Level[] before = {root.getLevel(), junction.getLevel(), pekko.getLevel()};
        root.addAppender(capture);
        root.setLevel(Level.INFO);
        junction.setLevel(Level.DEBUG);
        pekko.setLevel(Level.INFO);
        List<String> answers = new ArrayList<>();
        Path webhookSecret = dir.resolve("webhook.secret");
        Files.writeString(webhookSecret, WEBHOOK + "\n");
        Files.writeString(dir.resolve("ops.token"), FILE_TOKEN);
        try (RecordingTarget target = new RecordingTarget()) {
            String config = TestConfig.webhookToHttp(target.baseUrl(), "").replace("junction {", """
                    junction {
                      admin.tokens = [
                        { name = "root", role = admin, token = "%s" }
                        { name = "ops", role = operator, token-file = "ops.token" }
                      ]
                    """.formatted(ADMIN)).replace("webhook { path = \"webshop/orders\", max-body-size = 64k }",
                    "webhook { path = \"webshop/orders\", idempotency-key = \"header:webhook-id\", "
                            + "verify { scheme = standard-webhooks, secret-file = \"" + webhookSecret + "\" } }");
            Path file = TestConfig.write(dir, config);
            try (RunningServer server = RunningServer.start(file, dir.resolve("data"), Map.of())) {
                long now = System.currentTimeMillis() / 1000;
                String body = TestConfig.order("SO-1");
                HttpResponse<String> accepted = webhook(server, "msg_1", now, body, VerifiedWebhookTest.sign(WEBHOOK, "msg_1", now, body));
                for (int i = 0; i < 15 && accepted.statusCode() == 503; i++) {
                    Thread.sleep(1000);
                    accepted = webhook(server, "msg_1", now, body, VerifiedWebhookTest.sign(WEBHOOK, "msg_1", now, body));
                }
                assertTrue(accepted.statusCode() == 202 || accepted.statusCode() == 200, accepted.body());
                answers.add(accepted.body());
                answers.add(webhook(server, "msg_2", now, body, VerifiedWebhookTest.sign(
                        "whsec_" + Base64.getEncoder().encodeToString("not-the-secret-not-the-secret!!!".getBytes()), "msg_2", now, body)).body());
                answers.add(admin(server, "GET", "/api/v1/systems", "", FILE_TOKEN + "x").body());
                HttpResponse<String> shown = admin(server, "GET", "/api/v1/configuration", "", FILE_TOKEN);
                assertEquals(200, shown.statusCode());
                assertTrue(shown.body().contains("<redacted>"), shown.body());
                answers.add(shown.body());
                // a configuration with a secret under a misspelt key, and one with a token too short: refused without the values
                String misspelt = config.replace("secret-file = \"" + webhookSecret + "\"", "secret = \"" + NEW_SECRET + "\"");
                HttpResponse<String> refused = admin(server, "PUT", "/api/v1/configuration", misspelt, ADMIN);
                assertEquals(422, refused.statusCode(), refused.body());
                answers.add(refused.body());
                HttpResponse<String> shortToken = admin(server, "PUT", "/api/v1/configuration", config.replace(ADMIN, SHORT), ADMIN);
                assertEquals(422, shortToken.statusCode(), shortToken.body());
                assertTrue(shortToken.body().contains("at least 16 characters"), shortToken.body());
                answers.add(shortToken.body());
                dev.junction.server.testing.Await.until(Duration.ofSeconds(15), () -> target.applied().contains("msg_1"), () -> "msg_1 not delivered");
                HttpResponse<String> lineage = admin(server, "GET", "/api/v1/messages?integration=orders-to-erp&key=msg_1", "", ADMIN);
                assertEquals(200, lineage.statusCode(), lineage.body());
                answers.add(lineage.body());
            }
        } finally {
            root.detachAppender(capture);
            root.setLevel(before[0]);
            junction.setLevel(before[1]);
            pekko.setLevel(before[2]);
        }
        assertTrue(lines.size() > 10, "the capture saw the server's logs: " + lines.size());
        assertTrue(lines.stream().anyMatch(l -> l.contains("Admin API: 2 token(s)")), "the capture saw Junction's own INFO lines");
        for (String secret : List.of(ADMIN, FILE_TOKEN, WEBHOOK, WEBHOOK.substring(6), NEW_SECRET, SHORT, COOKIE, BEARER)) {
            for (String answer : answers) {
                assertTrue(!answer.contains(secret), () -> "an answer shows a secret: " + answer);
            }
            for (String line : lines) {
                assertTrue(!line.contains(secret), () -> "a log line shows a secret: " + line);
            }
        }
    }

    private static HttpResponse<String> webhook(RunningServer server, String id, long ts, String body, String signature) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.url("/webhooks/webshop/orders"))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("webhook-id", id).header("webhook-timestamp", Long.toString(ts))
                .header("webhook-signature", signature).header("Cookie", "session=" + COOKIE).header("Authorization", "Bearer " + BEARER)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(RunningServer server, String method, String path, String body, String token) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.url(path))).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
