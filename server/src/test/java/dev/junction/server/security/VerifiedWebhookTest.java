package dev.junction.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook that requires Standard Webhooks signatures, against a running server: the webhook-id as idempotency key, 401
 * problems that say what was wrong and echo no secret, and 1,000 badly signed requests mixed into valid load: every one
 * refused, none stored, every valid one delivered once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifiedWebhookTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PATH = "/webhooks/webshop/orders";
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("the-current-secret-32-bytes-long".getBytes());
    static final String OLD_SECRET = "whsec_" + Base64.getEncoder().encodeToString("the-previous-secret-being-rotate".getBytes());
    static final String WRONG_SECRET = "whsec_" + Base64.getEncoder().encodeToString("a-secret-this-server-never-knew!".getBytes());

    @TempDir
    static Path dir;
    private RecordingTarget target;
    private RunningServer server;

    @BeforeAll
    void start() throws Exception {
        target = new RecordingTarget(8);
        String config = TestConfig.webhookToHttp(target.baseUrl(), "").replace(
                "webhook { path = \"webshop/orders\", max-body-size = 64k }",
                "webhook { path = \"webshop/orders\", idempotency-key = \"header:webhook-id\", "
                        + "verify { scheme = standard-webhooks, secrets = [ \"" + OLD_SECRET + "\", \"" + SECRET + "\" ], tolerance = 5m } }");
        server = RunningServer.start(TestConfig.write(dir, config), dir.resolve("data"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        target.close();
    }

    @Test
    void aSignedRequestIsAcceptedWithItsWebhookIdAsKeyAndARetryIsADuplicate() throws Exception {
        String body = TestConfig.order("SO-1");
        long now = System.currentTimeMillis() / 1000;
        HttpResponse<String> first = send(signed("msg_1", now, body, SECRET));
        assertEquals(202, first.statusCode(), first.body());
        assertEquals("msg_1", first.headers().firstValue("Idempotency-Key").orElse(""));
        HttpResponse<String> retry = send(signed("msg_1", now + 30, body, OLD_SECRET));
        assertEquals(200, retry.statusCode(), "the sender's retry, signed with the secret being rotated out: " + retry.body());
        Await.until(Duration.ofSeconds(15), () -> target.applied().contains("msg_1"), () -> "msg_1 not delivered");
    }

    @Test
    void eachFailureIs401SayingWhatWasWrongWithoutTheSecret() throws Exception {
        String body = TestConfig.order("SO-2");
        long now = System.currentTimeMillis() / 1000;
        Map<String, HttpRequest> cases = Map.of(
                "missing header webhook-signature", withoutHeader(signed("msg_2", now, body, SECRET), "webhook-signature", "msg_2", now, body),
                "s old", signed("msg_2", now - 600, body, SECRET),
                "in the future", signed("msg_2", now + 600, body, SECRET),
                "no signature in webhook-signature matches", signed("msg_2", now, body, WRONG_SECRET),
                "no signature in webhook-signature matches ", tampered("msg_2", now, body));
        for (Map.Entry<String, HttpRequest> c : cases.entrySet()) {
            HttpResponse<String> response = send(c.getValue());
            assertEquals(401, response.statusCode(), c.getKey() + ": " + response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(JSON.readTree(response.body()).get("detail").asText().contains(c.getKey().trim()), response.body());
            for (String secret : List.of(SECRET, OLD_SECRET, WRONG_SECRET)) {
                assertFalse(response.body().contains(secret.substring(6)), "the problem echoes a secret");
            }
        }
        assertEquals(404, server.get("/api/v1/messages?integration=orders-to-erp&key=msg_2").statusCode(), "nothing stored for msg_2");
    }

    @Test
    void aThousandBadSignaturesInValidLoadAreAllRefusedAndNothingOfThemIsStored() throws Exception {
        List<HttpRequest> requests = new ArrayList<>();
        Set<String> valid = ConcurrentHashMap.newKeySet();
        long now = System.currentTimeMillis() / 1000;
        for (int i = 0; i < 1000; i++) {
            String key = "bad-" + i;
            String body = TestConfig.order(key);
            requests.add(switch (i % 4) {
                case 0 -> signed(key, now, body, WRONG_SECRET);
                case 1 -> tampered(key, now, body);
                case 2 -> signed(key, now - 3600, body, SECRET);
                default -> withoutHeader(signed(key, now, body, SECRET), "webhook-signature", key, now, body);
            });
            if (i % 3 == 0) {
                String good = "good-" + i;
                valid.add(good);
                requests.add(signed(good, now, TestConfig.order(good), i % 2 == 0 ? SECRET : OLD_SECRET));
            }
        }
        Collections.shuffle(requests, new java.util.Random(14));
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        Set<String> refusedValid = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (HttpRequest request : requests) {
            done.add(pool.submit(() -> {
                String key = request.headers().firstValue("webhook-id").orElseThrow();
                HttpResponse<String> response = send(request);
                for (int i = 0; i < 15 && response.statusCode() == 503; i++) {
                    Thread.sleep(1000); // a busy machine: the sender retries with the same signed request, as its retry policy says
                    response = send(request);
                }
                statuses.merge(key.startsWith("bad-") ? response.statusCode() : 1000 + response.statusCode(), 1, Integer::sum);
                if (key.startsWith("good-") && response.statusCode() != 202 && response.statusCode() != 200) {
                    refusedValid.add(key + ": " + response.statusCode());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertEquals(1000, statuses.getOrDefault(401, 0), statuses::toString);
        assertTrue(refusedValid.isEmpty(), refusedValid::toString);
        Await.until(Duration.ofSeconds(60), () -> target.applied().containsAll(valid), () -> "valid messages not all delivered");
        for (String key : valid) {
            assertEquals(1, target.successes(key), key);
        }
        assertTrue(target.applied().stream().noneMatch(k -> k.startsWith("bad-")), "a refused request was delivered");
        try (var c = DriverManager.getConnection(server.settings.persistence().url(), server.settings.persistence().user(),
                server.settings.persistence().password());
             var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM junction_inbox_keys WHERE idempotency_key LIKE 'bad-%'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "refused requests stored");
        }
        try (var c = DriverManager.getConnection(server.settings.persistence().url(), server.settings.persistence().user(),
                server.settings.persistence().password());
             var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM junction_inbox_keys WHERE idempotency_key LIKE 'good-%'")) {
            rs.next();
            assertEquals(valid.size(), rs.getInt(1), "the count of stored keys is the valid requests' (the query sees the table)");
        }
    }

    private HttpRequest signed(String id, long timestamp, String body, String secret) {
        return request(id, timestamp, body, sign(secret, id, timestamp, body));
    }

    /** Signed over one body, sent with another: the same order with its total changed. */
    private HttpRequest tampered(String id, long timestamp, String body) {
        return HttpRequest.newBuilder(URI.create(server.url(PATH))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", sign(SECRET, id, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body.replace("19.5", "0.5"))).build();
    }

    private HttpRequest withoutHeader(HttpRequest ignored, String header, String id, long timestamp, String body) {
        return HttpRequest.newBuilder(URI.create(server.url(PATH))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest request(String id, long timestamp, String body, String signature) {
        return HttpRequest.newBuilder(URI.create(server.url(PATH))).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp)).header("webhook-signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** The Standard Webhooks signature, computed here from the spec, independently of the server's code. */
    static String sign(String secret, String id, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
