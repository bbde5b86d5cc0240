package dev.junction.connectors.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.ConnectorException;
import dev.junction.connectors.api.PermanentException;
import dev.junction.connectors.api.RetriableException;
import dev.junction.connectors.api.SinkContext;
import dev.junction.connectors.api.SinkInstance;
import dev.junction.connectors.api.SinkRecord;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpSinkTest {
    static {
        // Initialise logging before the actor system's threads log, or SLF4J reports replayed calls on stderr.
        org.slf4j.LoggerFactory.getILoggerFactory();
    }

    private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.loglevel = WARNING, pekko.stdout-loglevel = WARNING"));
    private final TargetServer target;

    HttpSinkTest() throws Exception {
        target = new TargetServer();
    }

    @AfterEach
    void stopTarget() {
        target.close();
    }

    @AfterAll
    static void stopSystem() {
        testKit.shutdownTestKit();
    }

    @Test
    void everyAttemptCarriesTheSameIdempotencyKeyAndItsAttemptNumber() throws Exception {
        SinkInstance sink = sink("base-url = \"" + target.url("/api/") + "\"", "path = /orders");
        await(sink.send(record(1)));
        await(sink.send(record(2)));

        List<TargetServer.Seen> seen = target.seen();
        assertEquals(2, seen.size());
        for (int i = 0; i < 2; i++) {
            TargetServer.Seen request = seen.get(i);
            assertEquals("POST", request.method());
            assertEquals("/api/orders", request.path());
            assertEquals("application/json", request.header("Content-Type"));
            assertEquals("order-42", request.header("Idempotency-Key"));
            assertEquals("m-1", request.header("X-Junction-Message-Id"));
            assertEquals(Integer.toString(i + 1), request.header("X-Junction-Attempt"));
            assertEquals("{\"id\":42}", request.body());
        }
    }

    @Test
    void aKeyThatCannotBeSentFaithfullyIsPermanentAndNothingIsSent() throws Exception {
        SinkInstance sink = sink("", "path = \"" + target.url("/x") + "\"");
        for (String key : List.of("a\r\nX-Evil: 1", "\u8ba2\u5355-1", "")) {
            SinkRecord record = new SinkRecord("m-1", "orders", key, null, "{}".getBytes(StandardCharsets.UTF_8), Map.of(), 1);
            PermanentException refused = assertInstanceOf(PermanentException.class, failure(sink.send(record)));
            assertEquals("invalid-request", refused.errorClass());
        }
        assertEquals(List.of(), target.seen());
    }

    @Test
    void configuredMethodAndAbsoluteUrlAreUsed() throws Exception {
        SinkInstance sink = sink("", "method = put, path = \"" + target.url("/erp/orders/42") + "\"");
        target.answer(TargetServer.Answer.of(204, ""));
        await(sink.send(record(1)));
        assertEquals("PUT", target.seen().get(0).method());
        assertEquals("/erp/orders/42", target.seen().get(0).path());
    }

    @Test
    void otherClientErrorsAndRedirectsArePermanentWithTheStartOfTheBody() throws Exception {
        SinkInstance sink = sink("", "path = \"" + target.url("/x") + "\"");
        target.answer(TargetServer.Answer.of(422, "{\"error\":\"customer\\nunknown\"}" + "x".repeat(1000)));
        PermanentException rejected = assertInstanceOf(PermanentException.class, failure(sink.send(record(1))));
        assertEquals("http-422", rejected.errorClass());
        assertTrue(rejected.getMessage().contains("{\"error\":\"customer\\nunknown\"}xxx"), rejected.getMessage());
        assertTrue(rejected.getMessage().length() < 450, rejected.getMessage());

        target.answer(TargetServer.Answer.of(301, "").withHeader("Location", "http://elsewhere/"));
        assertEquals("http-301", assertInstanceOf(PermanentException.class, failure(sink.send(record(1)))).errorClass());
    }

    @Test
    void serverErrorsTimeoutsAndThrottlingAreRetriableWithTheirRetryAfter() throws Exception {
        SinkInstance sink = sink("", "path = \"" + target.url("/x") + "\"");
        target.answer(TargetServer.Answer.of(503, "down").withHeader("Retry-After", "7"));
        RetriableException unavailable = assertInstanceOf(RetriableException.class, failure(sink.send(record(1))));
        assertEquals("http-503", unavailable.errorClass());
        assertEquals(Duration.ofSeconds(7), unavailable.retryAfter().orElseThrow());
        assertFalse(unavailable.isThrottled(), "a 503 says the system is unwell: it counts for the breaker");

        String inOneMinute = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(60));
        target.answer(TargetServer.Answer.of(429, "").withHeader("Retry-After", inOneMinute));
        RetriableException throttled = assertInstanceOf(RetriableException.class, failure(sink.send(record(1))));
        assertEquals("http-429", throttled.errorClass());
        assertTrue(throttled.isThrottled(), "a 429 says slow down, not unwell: it must not trip the breaker");
        long seconds = throttled.retryAfter().orElseThrow().toSeconds();
        assertTrue(seconds > 50 && seconds <= 60, () -> "retry after " + seconds);

        for (int status : List.of(408, 500, 502)) {
            target.answer(TargetServer.Answer.of(status, "{}"));
            RetriableException failed = assertInstanceOf(RetriableException.class, failure(sink.send(record(1))));
            assertEquals("http-" + status, failed.errorClass());
            assertTrue(failed.retryAfter().isEmpty());
        }
    }

    @Test
    void successfulStatusesComplete() throws Exception {
        SinkInstance sink = sink("", "path = \"" + target.url("/x") + "\"");
        for (int status : List.of(200, 201, 202, 204)) {
            target.answer(TargetServer.Answer.of(status, status == 204 ? "" : "{\"id\":1}"));
            assertNull(failure(sink.send(record(1))), "status " + status);
        }
    }

    @Test
    void refusedConnectionIsRetriableConnectFailed() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        SinkInstance sink = sink("", "path = \"http://127.0.0.1:" + closedPort + "/x\", timeout = 5s");
        long started = System.nanoTime();
        RetriableException refused = assertInstanceOf(RetriableException.class, failure(sink.send(record(1))));
        assertEquals("connect-failed", refused.errorClass(), refused::toString);
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(4), "refusal must not wait for the timeout");
    }

    @Test
    void unknownHostIsRetriableConnectFailed() throws Exception {
        SinkInstance sink = sink("", "path = \"http://no-such-host.invalid/x\", timeout = 5s");
        RetriableException unknown = assertInstanceOf(RetriableException.class, failure(sink.send(record(1))));
        assertEquals("connect-failed", unknown.errorClass(), unknown::toString);
        assertTrue(unknown.getMessage().contains("unknown host"), unknown.getMessage());
    }

    @Test
    void stalledTargetFailsTheAttemptAsRetriableTimeout() throws Exception {
        SinkInstance sink = sink("", "path = \"" + target.url("/slow") + "\", timeout = 400ms");
        target.answer(new TargetServer.Answer(200, Map.of(), "{}", true));
        long started = System.nanoTime();
        RetriableException timedOut = assertInstanceOf(RetriableException.class, failure(sink.send(record(1))));
        assertEquals("timeout", timedOut.errorClass());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3));
    }

    @Test
    void errorBodiesAreConsumedSoOneConnectionServesManyAttempts() throws Exception {
        SinkInstance sink = sink("", "path = \"" + target.url("/x") + "\", max-connections = 1, timeout = 5s");
        target.answer(TargetServer.Answer.of(500, "e".repeat(50_000)));
        for (int i = 0; i < 20; i++) {
            assertEquals("http-500", ((ConnectorException) failure(sink.send(record(1)))).errorClass());
        }
        target.answer(TargetServer.Answer.of(200, "o".repeat(50_000)));
        for (int i = 0; i < 20; i++) {
            assertNull(failure(sink.send(record(1))));
        }
        // Pekko closes a connection whose response entity was left unread; consumed entities keep the one connection alive.
        assertEquals(1, target.seen().stream().mapToInt(TargetServer.Seen::clientPort).distinct().count(), "connections used");
    }

    @Test
    void manyConcurrentAttemptsShareTheConnectionsWithoutOverflow() throws Exception {
        SinkInstance sink = sink("", "path = \"" + target.url("/x") + "\", max-connections = 4");
        List<CompletionStage<Void>> sends = IntStream.range(0, 300).mapToObj(i -> sink.send(record(1))).toList();
        for (CompletionStage<Void> send : sends) {
            assertNull(failure(send));
        }
        assertEquals(300, target.seen().size());
    }

    @Test
    void requestsBeyondThePoolQueueAreRetriableOverloaded() throws Exception {
        // The timeout must outlast the loop below: a loaded machine (a cold JIT, two cores shared) took over a second to
        // queue the sends, so the first ones timed out and left the pool's queue before the last ones could overflow it.
        SinkInstance sink = sink("", "path = \"" + target.url("/slow") + "\", max-connections = 1, timeout = 5s");
        target.answer(new TargetServer.Answer(200, Map.of(), "{}", true));
        int sent = PoolSettings.MAX_OPEN_REQUESTS + 100;
        List<CompletionStage<Void>> sends = IntStream.range(0, sent).mapToObj(i -> sink.send(record(1))).toList();
        Map<String, Long> byClass = new java.util.TreeMap<>();
        for (CompletionStage<Void> send : sends) {
            byClass.merge(((ConnectorException) failure(send)).errorClass(), 1L, Long::sum);
        }
        assertEquals(java.util.Set.of("overloaded", "timeout"), byClass.keySet(), byClass::toString);
        assertEquals(sent, byClass.values().stream().mapToLong(Long::longValue).sum());
    }

    // --- helpers

    private static SinkInstance sink(String system, String settings) {
        HttpSinkFactory factory = new HttpSinkFactory();
        var block = factory.spec().withDefaults(ConfigFactory.parseString(settings));
        var systemConfig = ConfigFactory.parseString(system);
        assertEquals(List.of(), factory.spec().validate(block, "http", java.util.Set.of()));
        assertEquals(List.of(), factory.validate(systemConfig, block, "http"));
        return factory.create(new SinkContext("orders", "erp", systemConfig, block, Path.of("."), testKit.system(), Runnable::run));
    }

    private static SinkRecord record(int attempt) {
        byte[] bytes = "{\"id\":42}".getBytes(StandardCharsets.UTF_8);
        return new SinkRecord("m-1", "orders", "order-42", null, bytes, Map.of(), attempt);
    }

    private static void await(CompletionStage<Void> send) throws Exception {
        Throwable failure = failure(send);
        if (failure != null) {
            throw new AssertionError("send failed", failure);
        }
    }

    /** The attempt's failure (never wrapped), or null when it succeeded. */
    private static Throwable failure(CompletionStage<Void> send) throws Exception {
        Throwable failure = send.toCompletableFuture().handle((ok, error) -> error).get(20, TimeUnit.SECONDS);
        if (failure != null) {
            assertInstanceOf(ConnectorException.class, failure, "unclassified: " + failure);
        }
        return failure;
    }
}
