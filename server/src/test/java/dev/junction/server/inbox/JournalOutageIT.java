package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While PostgreSQL refuses connections, every webhook is answered 202 or 503 with Retry-After within 2 s; no 202 is given for a
 * message that is not committed (each one is delivered after the outage); once the database is back, the node resumes alone.
 */
class JournalOutageIT {
    private static final String PATH = "/webhooks/webshop/orders";

    @TempDir
    Path dir;

    @Test
    void refusesFastDuringAnOutageAndResumesAfterIt() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget target = new RecordingTarget()) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
                    "resilience.retry { max-attempts = 100, min-backoff = 50ms, max-backoff = 500ms }"));
            Map<String, String> env = Map.of("JUNCTION_DB_URL", db.url(), "JUNCTION_DB_USER", PostgresDatabase.USER,
                    "JUNCTION_PARTITIONS", "4");
            try (RunningServer server = RunningServer.start(config, dir, env)) {
                Set<String> accepted = new HashSet<>();
                List<String> refused = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    send(server, "before-" + i, accepted, refused);
                }
                assertEquals(20, accepted.size(), "all accepted while the database is up");

                db.refuseConnections(true);
                // Four waves of ten concurrent senders, half a second apart.
                java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(10);
                java.util.concurrent.atomic.AtomicInteger refusedDuringOutage = new java.util.concurrent.atomic.AtomicInteger();
                Set<String> acceptedSafe = java.util.concurrent.ConcurrentHashMap.newKeySet();
                List<String> refusedSafe = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int wave = 0; wave < 4; wave++) {
                    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        String key = "during-" + wave + "-" + i;
                        sent.add(senders.submit(() -> {
                            long started = System.nanoTime();
                            HttpResponse<String> response = send(server, key, acceptedSafe, refusedSafe);
                            long millis = (System.nanoTime() - started) / 1_000_000;
                            assertTrue(millis < 2_000, key + " answered after " + millis + " ms");
                            if (response.statusCode() == 503) {
                                refusedDuringOutage.incrementAndGet();
                                assertTrue(response.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
                                assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
                            }
                            return null;
                        }));
                    }
                    for (java.util.concurrent.Future<?> f : sent) {
                        f.get();
                    }
                    Thread.sleep(500);
                }
                senders.shutdown();
                accepted.addAll(acceptedSafe);
                refused.addAll(refusedSafe);
                assertTrue(refusedDuringOutage.get() >= 30, "the outage was refused, not hidden: " + refusedDuringOutage + " of 40");

                db.refuseConnections(false);
                // Senders retry what was refused; the node must take traffic again without a restart.
                Await.until(Duration.ofSeconds(60), () -> {
                    List<String> again = new ArrayList<>(refused);
                    refused.clear();
                    again.forEach(key -> send(server, key, accepted, refused));
                    return refused.isEmpty();
                }, () -> refused.size() + " keys still refused after the database came back");
                Await.until(Duration.ofSeconds(60), () -> target.applied().containsAll(accepted),
                        () -> (accepted.size() - target.applied().size()) + " acknowledged keys not delivered");
                assertEquals(60, accepted.size());
            }
        }
    }

    private static HttpResponse<String> send(RunningServer server, String key, Set<String> accepted, List<String> refused) {
        try {
            HttpResponse<String> response = server.post(PATH, key, TestConfig.order(key));
            int status = response.statusCode();
            assertTrue(status == 202 || status == 200 || status == 503, key + ": " + status + " " + response.body());
            if (status == 503) {
                refused.add(key);
            } else {
                accepted.add(key);
            }
            return response;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
