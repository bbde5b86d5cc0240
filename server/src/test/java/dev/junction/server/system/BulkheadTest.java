package dev.junction.server.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.Load;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One system stalls (each answer takes 10 s): it holds at most its own max-in-flight, and a second, healthy system keeps its
 * delivery latency.
 */
class BulkheadTest {
    private static final int MESSAGES = 300;
    private static final long PERIOD_MILLIS = 20;

    @TempDir
    Path dir;

    @Test
    void aStalledSystemDoesNotSlowAHealthyOne() throws Exception {
        try (RecordingTarget slow = new RecordingTarget().delay(10_000); RecordingTarget fast = new RecordingTarget()) {
            Path config = TestConfig.write(dir, """
                junction {
                  http.port = 0
                  node.port = 0
                  inbox.partitions = 4
                  systems {
                    webshop { connector = http }
                    slow {
                      connector = http, base-url = "%s"
                      resilience { max-in-flight = 4, circuit-breaker { call-timeout = 5s } }
                    }
                    fast { connector = http, base-url = "%s" }
                  }
                  integrations {
                    to-slow {
                      source { system = webshop, webhook { path = "slow" } }
                      targets = [ { system = slow, http { path = "/orders" } } ]
                    }
                    to-fast {
                      source { system = webshop, webhook { path = "fast" } }
                      targets = [ { system = fast, http { path = "/orders" } } ]
                    }
                  }
                }
                """.formatted(slow.baseUrl(), fast.baseUrl()));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                deliverToFast(server, fast, "warm-up");
                long baseline = deliverToFast(server, fast, "baseline");

                Load stalled = new Load(server, "/webhooks/slow", "stalled", 50);
                long withStall;
                try {
                    Thread.sleep(2000);
                    withStall = deliverToFast(server, fast, "beside-stall");
                } finally {
                    stalled.close();
                }
                int slowMax = slow.maxConcurrent();
                System.out.printf("bulkhead: healthy p99 %d ms alone, %d ms beside a stalled system (%d accepted for it, at most %d "
                        + "of its calls at once)%n", baseline, withStall, stalled.accepted().size(), slowMax);
                assertTrue(slowMax <= 4, () -> "the stalled system had " + slowMax + " calls at once; its max-in-flight is 4");
                // 20 %, and at least 25 ms: on two shared cores, scheduling noise alone moves a p99 of a few ms by that much.
                long allowed = Math.max(baseline * 12 / 10, baseline + 25);
                assertTrue(withStall <= allowed, () -> "p99 " + withStall + " ms beside the stall, " + baseline + " ms alone");
            }
        }
    }

    /** Sends {@link #MESSAGES} at a steady rate to the healthy system and returns the p99 of send-to-applied, in ms. */
    private static long deliverToFast(RunningServer server, RecordingTarget fast, String prefix) throws Exception {
        Load load = new Load(server, "/webhooks/fast", prefix, PERIOD_MILLIS);
        try {
            Await.until(Duration.ofSeconds(30), () -> load.acceptedAt.size() >= MESSAGES, () -> load.acceptedAt.size() + " sent");
        } finally {
            load.close();
        }
        List<String> keys = load.accepted();
        Await.until(Duration.ofSeconds(30), () -> fast.applied().containsAll(keys), () -> "not all delivered to the healthy system");
        long[] latencies = keys.stream().mapToLong(k -> fast.firstSuccessAt(k) - load.acceptedAt.get(k)).sorted().toArray();
        return latencies[(int) Math.ceil(latencies.length * 0.99) - 1];
    }
}
