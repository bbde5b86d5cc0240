package dev.junction.server.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.BulkSender;
import dev.junction.server.testing.Load;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One system stalls (each answer takes 10 s): it holds its own max-in-flight and no more, and a second, healthy system keeps
 * the delivery latency its twin on an identical server shows at the same time.
 */
class BulkheadTest {
    private static final int MESSAGES = 300;
    private static final long PERIOD_MILLIS = 20;

    @TempDir
    Path dir;

    @Test
    void aStalledSystemDoesNotSlowAHealthyOne() throws Exception {
        try (RecordingTarget slow = new RecordingTarget().delay(10_000); RecordingTarget fast = new RecordingTarget();
             RecordingTarget twinSlow = new RecordingTarget(); RecordingTarget twinFast = new RecordingTarget()) {
            // Two servers with the same configuration, measured over the same seconds: one beside a stalled system, its twin
            // beside a healthy one. A baseline taken earlier would compare the machine's load at two moments, not the stall.
            try (RunningServer server = RunningServer.start(config("stalled", slow, fast), dir.resolve("data"), Map.of());
                 RunningServer twin = RunningServer.start(config("twin", twinSlow, twinFast), dir.resolve("twin-data"), Map.of())) {
                // The first requests to a fresh server may wait for its partitions to start: sent until answered, as senders do.
                for (RunningServer each : List.of(server, twin)) {
                    List<String> keys = IntStream.range(0, 50).mapToObj(i -> "first-" + i).toList();
                    Map<String, Integer> answers = BulkSender.post(each.url("/webhooks/fast"), keys, TestConfig::order, 4);
                    assertTrue(answers.values().stream().allMatch(s -> s == 202 || s == 200), () -> "answers: " + BulkSender.count(answers));
                }
                measureSideBySide(server, fast, twin, twinFast, "warm-up");

                Load stalled = new Load(server, "/webhooks/slow", "stalled", 50);
                long[] p99s;
                try {
                    // The stall is there once the slow system holds its limit of calls, not after a guess at how long that takes.
                    Await.until(Duration.ofSeconds(30), () -> slow.maxConcurrent() >= 4, () -> slow.maxConcurrent() + " calls held");
                    p99s = measureSideBySide(server, fast, twin, twinFast, "measured");
                } finally {
                    stalled.close();
                }
                int slowMax = slow.maxConcurrent();
                int stalledAccepted = stalled.accepted().size();
                long withStall = p99s[0];
                long twinP99 = p99s[1];
                System.out.printf("bulkhead: healthy p99 %d ms beside a stalled system, %d ms on its twin at the same time (%d accepted"
                        + " for the stalled system, at most %d of its calls at once)%n", withStall, twinP99, stalledAccepted, slowMax);
                assertEquals(4, slowMax, "the stalled system held exactly its max-in-flight of 4 calls");
                assertTrue(stalledAccepted > 4, () -> "more was waiting for the stalled system than it could hold: " + stalledAccepted);
                // 20 %, and at least 25 ms: on two shared cores, scheduling noise alone moves a p99 of a few ms by that much.
                long allowed = Math.max(twinP99 * 12 / 10, twinP99 + 25);
                assertTrue(withStall <= allowed, () -> "p99 " + withStall + " ms beside the stall, " + twinP99 + " ms on the twin");
            }
        }
    }

    private Path config(String name, RecordingTarget slow, RecordingTarget fast) throws Exception {
        return TestConfig.write(dir.resolve(name), """
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
    }

    /** The p99 of each server's healthy system, both loaded alike over the same seconds. */
    private static long[] measureSideBySide(RunningServer a, RecordingTarget aFast, RunningServer b, RecordingTarget bFast,
            String prefix) throws Exception {
        // Threads of their own: the two waits would take the common pool (two threads here), which the servers use too.
        ExecutorService measuring = Executors.newFixedThreadPool(2);
        try {
            Future<Long> first = measuring.submit(() -> deliverToFast(a, aFast, prefix));
            Future<Long> second = measuring.submit(() -> deliverToFast(b, bFast, prefix));
            return new long[] {first.get(), second.get()};
        } finally {
            measuring.shutdown();
        }
    }

    /** Sends {@link #MESSAGES} at a steady rate to the healthy system and returns the p99 of send-to-applied, in ms. */
    private static long deliverToFast(RunningServer server, RecordingTarget fast, String prefix) {
        Load load = new Load(server, "/webhooks/fast", prefix, PERIOD_MILLIS);
        try {
            try {
                Await.until(Duration.ofSeconds(30), () -> load.acceptedAt.size() >= MESSAGES, () -> load.acceptedAt.size() + " sent");
            } finally {
                load.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        List<String> keys = load.accepted();
        Await.until(Duration.ofSeconds(30), () -> fast.applied().containsAll(keys), () -> "not all delivered to the healthy system");
        long[] latencies = keys.stream().mapToLong(k -> fast.firstSuccessAt(k) - load.acceptedAt.get(k)).sorted().toArray();
        return latencies[(int) Math.ceil(latencies.length * 0.99) - 1];
    }
}
