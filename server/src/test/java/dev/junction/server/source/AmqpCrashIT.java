package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.Rabbit;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 orders are published to a RabbitMQ queue at 1,000/s; the server (the jar, with the amqp plugin from its plugin
 * folder) consumes them into an HTTP target that counts effects per key and per Junction message id, is killed with SIGKILL
 * mid-way (deliveries in its prefetch window unacknowledged, more arriving while it is down) and started again. Every message reaches the target, none is lost, none has two effects (a key arriving under two message ids would be
 * one: the inbox accepted it twice), and the queue ends empty: every delivery was acknowledged, each only once it was durable.
 */
class AmqpCrashIT {
    private static final int MESSAGES = 10_000;
    private static final String QUEUE = "shop.orders";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the server's log stays when it fails
    Path dir;

    @Test
    void aKilledServerLosesNothingFromTheQueueAndAppliesNothingTwice() throws Exception {
        try (Rabbit rabbit = new Rabbit(); RecordingTarget target = new RecordingTarget(32)) {
            rabbit.declareQueue(QUEUE, null);
            List<String> keys = IntStream.range(0, MESSAGES).mapToObj(i -> "order-" + i).toList();
            Path config = TestConfig.write(dir, """
                junction {
                  systems {
                    rabbit { connector = amqp, uri = "%s", recovery-interval = 500ms }
                    erp {
                      connector = http
                      base-url = "%s"
                      resilience { max-in-flight = 32, retry { max-attempts = 50, min-backoff = 50ms, max-backoff = 1s } }
                    }
                  }
                  integrations {
                    orders-from-rabbit {
                      source { system = rabbit, amqp { queue = "%s", prefetch = 256 } }
                      targets = [ { system = erp, http { path = "/erp/orders" } } ]
                    }
                  }
                }
                """.formatted(rabbit.uri(), target.baseUrl(), QUEUE));
            Map<String, String> env = Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString(),
                    "JUNCTION_PLUGINS_DIR", Rabbit.pluginDirectory().toString());
            int port = ServerProcess.freePort();
            Path log = dir.resolve("server.log");

            java.util.concurrent.atomic.AtomicInteger published = new java.util.concurrent.atomic.AtomicInteger();
            int appliedAtKill;
            int publishedAtKill;
            java.util.concurrent.CompletableFuture<Void> publishing;
            try (ServerProcess first = ServerProcess.start(config, port, env, log)) {
                publishing = java.util.concurrent.CompletableFuture.runAsync(() -> publishSlowly(rabbit, keys, published));
                // Killed while the queue is being consumed: some deliveries in the prefetch window, more to come while it is down.
                Await.until(Duration.ofSeconds(120), () -> published.get() >= MESSAGES * 4 / 10 && target.applied().size() >= 100,
                        () -> published.get() + " published, " + target.applied().size() + " delivered; see " + log);
                first.kill();
                appliedAtKill = target.applied().size();
                publishedAtKill = published.get();
            }
            long leftAtKill = rabbit.depth(QUEUE);
            assertTrue(appliedAtKill < MESSAGES && leftAtKill > 0, "killed mid-way: " + appliedAtKill + " applied, " + leftAtKill + " in the queue");

            try (ServerProcess second = ServerProcess.start(config, port, env, log)) {
                publishing.join();
                Await.until(Duration.ofSeconds(180), () -> target.applied().size() == MESSAGES,
                        () -> (MESSAGES - target.applied().size()) + " messages never reached the target; see " + log);
                Await.until(Duration.ofSeconds(60), () -> depth(rabbit) == 0, () -> depth(rabbit) + " messages still in the queue");
            }

            assertEquals(Set.copyOf(keys), target.applied(), "every message of the queue reached the target: 0 lost");
            List<String> twice = keys.stream().filter(k -> target.messageIds(k).size() != 1).toList();
            assertEquals(List.of(), twice.stream().limit(10).toList(),
                    twice.size() + " keys arrived under more than one message id: duplicate effects");
            long redelivered = keys.stream().filter(k -> target.successes(k) > 1).count();
            System.out.printf("amqp crash test: killed with %d of %d published, %d applied; %d in the queue just after; 0 lost,"
                    + " 0 duplicate effects, %d keys delivered again after the restart (same message id: harmless)%n", publishedAtKill,
                    MESSAGES, appliedAtKill, leftAtKill, redelivered);
        }
    }

    /** 100 messages every 100 ms: the server consumes while they arrive, and more arrive while it is down. */
    private static void publishSlowly(Rabbit rabbit, List<String> keys, java.util.concurrent.atomic.AtomicInteger published) {
        try {
            for (int from = 0; from < keys.size(); from += 100) {
                long started = System.nanoTime();
                rabbit.publish(QUEUE, keys.subList(from, Math.min(keys.size(), from + 100)).stream()
                        .map(k -> new String[] {k, "{\"id\":\"" + k + "\",\"total\":52.0}"}).toList());
                published.set(Math.min(keys.size(), from + 100));
                Thread.sleep(Math.max(0, 100 - (System.nanoTime() - started) / 1_000_000));
            }
        } catch (Exception e) {
            throw new IllegalStateException("publishing failed", e);
        }
    }

    private static long depth(Rabbit rabbit) {
        try {
            return rabbit.depth(QUEUE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
