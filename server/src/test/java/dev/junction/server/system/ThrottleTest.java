package dev.junction.server.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Load;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A system's own pace: a 429 with Retry-After pauses every call to it, and a rate limit caps how fast calls go. */
class ThrottleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRetryAfterPausesEveryCallToTheSystemAndDoesNotTripTheBreaker() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (RecordingTarget erp = new RecordingTarget().retryAfter("2")
                .respondWith((key, n) -> requests.incrementAndGet() == 20 ? 429 : 200)) {
            // One call at a time, so no request is already on its way when the 429 is answered; a breaker that a single
            // failure would open, to show a 429 is not counted as one.
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), """
                    resilience { max-in-flight = 1, circuit-breaker.max-failures = 1 }
                    """));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                Load load = new Load(server, "/webhooks/webshop/orders", "order", 20);
                try {
                    Await.until(Duration.ofSeconds(20), () -> erp.answers().stream().anyMatch(a -> a.status() == 429), () -> "no 429 yet");
                    // The target counts its answer before the server has read it: wait for the pause to show.
                    Await.until(Duration.ofSeconds(1), () -> statusOrNull(server).hasNonNull("pausedUntil"), () -> "no pause shown");
                    JsonNode paused = status(server);
                    assertEquals("closed", paused.get("circuitBreaker").get("state").asText(), paused::toString);
                    Thread.sleep(3000);
                } finally {
                    load.close();
                }
                List<String> accepted = load.accepted();
                Await.until(Duration.ofSeconds(30), () -> erp.applied().containsAll(accepted), () -> "not all delivered");

                long answered429 = erp.answers().stream().filter(a -> a.status() == 429).findFirst().orElseThrow().at();
                List<Long> arrivals = erp.arrivals();
                long next = arrivals.stream().filter(t -> t > answered429).findFirst().orElseThrow();
                System.out.printf("throttle: the first request after the 429 came %d ms later (Retry-After: 2)%n", next - answered429);
                assertTrue(next - answered429 >= 2000, () -> "a request came " + (next - answered429) + " ms after the 429");
                assertEquals(0, status(server).get("circuitBreaker").get("consecutiveFailures").asInt());
                for (String key : accepted) {
                    assertEquals(1, erp.successes(key), key);
                }
            }
        }
    }

    @Test
    void aRateLimitCapsTheCallsPerPeriod() throws Exception {
        int permits = 50;
        int messages = 200;
        try (RecordingTarget erp = new RecordingTarget()) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), """
                    resilience.rate-limit { permits = %d, per = 1s }
                    """.formatted(permits)));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                // A first message warms the HTTP client up: a cold pool holds the first calls back and lets them go together,
                // which would blur what the target sees. Then the bucket refills.
                assertEquals(202, server.post("/webhooks/webshop/orders", "warm-up", TestConfig.order("SO-0")).statusCode());
                Await.until(Duration.ofSeconds(10), () -> erp.applied().contains("warm-up"), () -> "warm-up not delivered");
                Thread.sleep(1500);
                long start = System.currentTimeMillis();
                // Posted from 8 threads, faster than the limit, so a backlog waits for tokens.
                java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(8);
                List<java.util.concurrent.Future<Integer>> sent = new java.util.ArrayList<>();
                for (int i = 0; i < messages; i++) {
                    int n = i;
                    sent.add(senders.submit(() -> server.post("/webhooks/webshop/orders", "order-" + n, TestConfig.order("SO-" + n)).statusCode()));
                }
                for (java.util.concurrent.Future<Integer> status : sent) {
                    assertEquals(202, status.get());
                }
                senders.shutdown();
                Await.until(Duration.ofSeconds(30), () -> erp.applied().size() == messages + 1, () -> erp.applied().size() + " of " + messages);
                List<Long> arrivals = erp.arrivals().stream().filter(t -> t >= start).sorted().toList();
                long span = arrivals.get(arrivals.size() - 1) - arrivals.get(0);
                int busiest = 0;
                for (int i = 0; i < arrivals.size(); i++) {
                    int j = i;
                    while (j < arrivals.size() && arrivals.get(j) < arrivals.get(i) + 1000) {
                        j++;
                    }
                    busiest = Math.max(busiest, j - i);
                }
                int inOneSecond = busiest;
                System.out.printf("rate limit %d/s: %d calls over %d ms, at most %d in one second (%d requests)%n", permits, messages, span, inOneSecond, arrivals.size());
                // At most `permits` calls start in any second: the first `permits` at once, then as they leave the window, so
                // the rest take at least 3 s. The bounds leave room for calls that leave apart and reach the target together.
                long least = (messages - permits) * 1000L / permits;
                assertTrue(span >= least - 200, () -> messages + " calls took only " + span + " ms; at least " + least + " expected");
                assertTrue(inOneSecond <= permits + permits / 5, () -> inOneSecond + " calls in one second");
                assertEquals(permits + " per PT1S", status(server).get("rateLimit").asText());
            }
        }
    }

    private static JsonNode statusOrNull(RunningServer server) {
        try {
            return status(server);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode status(RunningServer server) throws Exception {
        return JSON.readTree(server.get("/api/v1/systems/erp").body());
    }
}
