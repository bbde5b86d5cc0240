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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target answers 503 for 20 s under steady load: the breaker opens after max-failures, while it is open the target sees
 * only probes, and once the target recovers the backlog drains: nothing lost, nothing dead-lettered, each effect once.
 */
class CircuitBreakerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_FAILURES = 5;
    private static final int MAX_IN_FLIGHT = 8;
    private static final long RESET_MILLIS = 2000;
    private static final long OUTAGE_MILLIS = 20_000;

    @TempDir
    Path dir;

    @Test
    void anOutageOpensTheBreakerAndTheBacklogDrainsAfterwards() throws Exception {
        long[] outage = {Long.MAX_VALUE, Long.MAX_VALUE};
        try (RecordingTarget erp = new RecordingTarget().respondWith((key, n) -> {
            long now = System.currentTimeMillis();
            return now >= outage[0] && now < outage[1] ? 503 : 200;
        })) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), """
                    resilience {
                      max-in-flight = %d
                      circuit-breaker { max-failures = %d, reset-timeout = %dms, max-reset-timeout = %dms, call-timeout = 5s }
                      retry { max-attempts = 8, min-backoff = 100ms, max-backoff = 2s }
                    }
                    """.formatted(MAX_IN_FLIGHT, MAX_FAILURES, RESET_MILLIS, RESET_MILLIS)));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                Set<String> statesSeen = new HashSet<>();
                Load load = new Load(server, "/webhooks/webshop/orders", "order", 25);
                try {
                    Thread.sleep(3000);
                    outage[0] = System.currentTimeMillis();
                    outage[1] = outage[0] + OUTAGE_MILLIS;
                    while (System.currentTimeMillis() < outage[1]) {
                        statesSeen.add(status(server).get("circuitBreaker").get("state").asText());
                        Thread.sleep(250);
                    }
                    Thread.sleep(3000);
                } finally {
                    load.close();
                }
                List<String> accepted = load.accepted();
                assertTrue(load.refused.isEmpty(), () -> "the inbox refused: " + load.refused);
                Await.until(Duration.ofSeconds(60), () -> erp.applied().containsAll(accepted),
                        () -> (accepted.size() - erp.applied().size()) + " of " + accepted.size() + " not delivered");

                long during = erp.answers().stream().filter(a -> a.status() == 503).count();
                long probes = OUTAGE_MILLIS / RESET_MILLIS + 2;
                long drained = accepted.stream().mapToLong(erp::firstSuccessAt).max().orElse(0) - outage[1];
                System.out.printf("breaker: %d accepted, %d requests answered 503 during the %d ms outage, backlog drained %d ms after it%n",
                        accepted.size(), during, OUTAGE_MILLIS, drained);
                assertTrue(statesSeen.contains("open"), () -> "breaker states seen: " + statesSeen);
                assertTrue(during <= MAX_FAILURES + MAX_IN_FLIGHT + probes,
                        () -> during + " requests reached the target while it failed; at most " + MAX_FAILURES + " failures + "
                                + MAX_IN_FLIGHT + " in flight + " + probes + " probes may");
                assertTrue(accepted.size() > 900, () -> "load too low: " + accepted.size());
                for (String key : accepted) {
                    assertEquals(1, erp.successes(key), () -> key + " applied " + erp.successes(key) + " times");
                }
                JsonNode deadLetters = JSON.readTree(server.get("/api/v1/dead-letters").body());
                assertEquals(0, deadLetters.get("matched").asInt(), deadLetters::toString);
                JsonNode after = status(server);
                assertEquals("closed", after.get("circuitBreaker").get("state").asText(), after::toString);
                assertTrue(after.get("recentFailures").get("http-503").asInt() >= MAX_FAILURES, after::toString);
            }
        }
    }

    static JsonNode status(RunningServer server) throws Exception {
        return JSON.readTree(server.get("/api/v1/systems/erp").body());
    }
}
