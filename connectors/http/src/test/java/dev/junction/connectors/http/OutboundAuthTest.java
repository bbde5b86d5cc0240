package dev.junction.connectors.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Calls with credentials against a token endpoint and a target in the test: a token fetched once and shared, refreshed before
 * it expires, replaced once after a 401; invalid_client permanent without a retry storm; static credentials; Standard Webhooks
 * signing with a webhook-id that stays the same across retries.
 */
class OutboundAuthTest {
    static {
        org.slf4j.LoggerFactory.getILoggerFactory();
    }

    private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.loglevel = WARNING, pekko.stdout-loglevel = WARNING"));
    private final HttpServer server;
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final List<String> tokenAuthorizations = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> targetSaw = new CopyOnWriteArrayList<>();
    private volatile String validToken;
    private volatile int expiresIn = 3600;
    private volatile boolean invalidClient;

    OutboundAuthTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/token", this::token);
        server.createContext("/orders", this::target);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    private void token(HttpExchange exchange) throws IOException {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        tokenAuthorizations.add(exchange.getRequestHeaders().getFirst("Authorization") + " " + form);
        int n = tokenRequests.incrementAndGet();
        if (invalidClient) {
            reply(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        validToken = "tok-" + n;
        reply(exchange, 200, "{\"access_token\":\"" + validToken + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}");
    }

    private void target(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = new java.util.HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
        targetSaw.add(headers);
        String auth = headers.getOrDefault("authorization", "");
        boolean oauth = auth.startsWith("Bearer tok-");
        reply(exchange, oauth && !auth.equals("Bearer " + validToken) ? 401 : headers.containsKey("x-fail") ? 503 : 200, "{}");
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private SinkInstance sink(String auth, String extra) {
        HttpSinkFactory factory = new HttpSinkFactory();
        var block = factory.spec().withDefaults(ConfigFactory.parseString("path = /orders\n" + extra));
        var system = ConfigFactory.parseString("base-url = \"" + url("") + "\"\n" + auth);
        assertEquals(List.of(), new HttpConnector().systemSpec().validate(system, "erp", java.util.Set.of()));
        assertEquals(List.of(), factory.validate(system, block, "http"));
        return factory.create(new SinkContext("orders", "erp", system, block, Path.of("."), testKit.system(), Runnable::run));
    }

    private String oauth(String clientId) {
        return "auth.oauth2 { token-url = \"" + url("/token") + "\", client-id = " + clientId + ", client-secret = \"s3cr3t-" + clientId
                + "\", scope = \"orders:write\" }";
    }

    private static SinkRecord record(String key, int attempt) {
        return new SinkRecord("m-" + key, "orders", key, null, "{\"id\":1}".getBytes(StandardCharsets.UTF_8), Map.of(), attempt);
    }

    private static Throwable outcome(java.util.concurrent.CompletionStage<Void> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(15, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void oneTokenIsFetchedForManyConcurrentCallsAndSentAsBearer() throws Exception {
        SinkInstance sink = sink(oauth("once"), "");
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(sink.send(record("k-" + i, 1)).toCompletableFuture());
        }
        for (CompletableFuture<Void> call : calls) {
            call.get(15, TimeUnit.SECONDS);
        }
        assertEquals(1, tokenRequests.get(), "fetched once per node");
        assertTrue(targetSaw.stream().allMatch(h -> h.get("authorization").equals("Bearer tok-1")));
        String asked = tokenAuthorizations.get(0);
        assertTrue(asked.startsWith("Basic " + Base64.getEncoder().encodeToString("once:s3cr3t-once".getBytes())), asked);
        assertTrue(asked.endsWith("grant_type=client_credentials&scope=orders%3Awrite"), asked);
    }

    @Test
    void aTokenIsReplacedBeforeItExpires() throws Exception {
        expiresIn = 2; // refreshed after half its life when refresh-before is longer than it
        SinkInstance sink = sink(oauth("expiry"), "");
        assertEquals(null, outcome(sink.send(record("a", 1))));
        assertEquals(null, outcome(sink.send(record("b", 1))));
        assertEquals(1, tokenRequests.get());
        Thread.sleep(1200);
        assertEquals(null, outcome(sink.send(record("c", 1))));
        assertEquals(2, tokenRequests.get(), "a new token before the old one expired");
        assertEquals("Bearer tok-2", targetSaw.get(2).get("authorization"));
    }

    @Test
    void a401GetsOneNewTokenAndTheAttemptSucceeds() throws Exception {
        SinkInstance sink = sink(oauth("revoked"), "");
        assertEquals(null, outcome(sink.send(record("a", 1))));
        validToken = "revoked-by-the-server";
        assertEquals(null, outcome(sink.send(record("b", 1))), "the 401 is answered with a new token, not counted as a failure");
        assertEquals(2, tokenRequests.get());
        assertEquals(3, targetSaw.size(), "one call with the old token, one with the new");
        assertEquals("Bearer tok-2", targetSaw.get(2).get("authorization"));
    }

    @Test
    void invalidClientIsPermanentAndDoesNotStormTheTokenEndpoint() throws Exception {
        invalidClient = true;
        SinkInstance sink = sink(oauth("wrong"), "");
        for (int i = 0; i < 50; i++) {
            PermanentException refused = assertInstanceOf(PermanentException.class, outcome(sink.send(record("k-" + i, 1))));
            assertEquals("auth-invalid-client", refused.errorClass());
            assertTrue(!refused.getMessage().contains("s3cr3t"), refused.getMessage());
        }
        assertEquals(1, tokenRequests.get(), "one refusal, then calls fail at once");
        assertEquals(0, targetSaw.size(), "nothing reached the target");
    }

    @Test
    void staticCredentials() throws Exception {
        assertEquals(null, outcome(sink("auth.bearer = \"static-token-1\"", "").send(record("a", 1))));
        assertEquals(null, outcome(sink("auth.basic { user = shop, password = \"pa55\" }", "").send(record("b", 1))));
        assertEquals(null, outcome(sink("auth.header { name = X-Api-Key, value = \"key-1\" }", "").send(record("c", 1))));
        assertEquals("Bearer static-token-1", targetSaw.get(0).get("authorization"));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("shop:pa55".getBytes()), targetSaw.get(1).get("authorization"));
        assertEquals("key-1", targetSaw.get(2).get("x-api-key"));
        HttpSinkFactory factory = new HttpSinkFactory();
        var twoKinds = ConfigFactory.parseString("base-url = \"" + url("") + "\"\nauth { bearer = x, header { name = a, value = b } }");
        assertTrue(factory.validate(twoKinds, factory.spec().withDefaults(ConfigFactory.parseString("path = /orders")), "http")
                .toString().contains("exactly one"));
    }

    @Test
    void signedCallsCarryTheIdempotencyKeyAsWebhookIdOnEveryAttempt() throws Exception {
        String secret = "whsec_" + Base64.getEncoder().encodeToString("outbound-signing-secret-32-bytes".getBytes());
        SinkInstance sink = sink("", "sign { scheme = standard-webhooks, secret = \"" + secret + "\" }");
        assertEquals(null, outcome(sink.send(record("order-7", 1))));
        assertEquals(null, outcome(sink.send(record("order-7", 2))));
        for (Map<String, String> seen : targetSaw) {
            assertEquals("order-7", seen.get("webhook-id"));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
            String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(("order-7." + seen.get("webhook-timestamp")
                    + ".{\"id\":1}").getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, seen.get("webhook-signature"));
        }
        assertNotEquals(null, targetSaw.get(1).get("webhook-timestamp"));
    }
}
