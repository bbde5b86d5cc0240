package dev.junction.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.Effects;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as its own JVM takes 2,000 orders while delivering them to a slow target, is killed with SIGKILL mid-way, and is
 * started again on the same journal. Every key that got a 202 reaches the target, no key is lost, and every delivery of a key
 * carries the same message id and body, so a target that deduplicates by key applies each effect exactly once.
 */
class CrashRecoveryIT {
    private static final int MESSAGES = 2_000;
    private static final String PATH = "/webhooks/webshop/orders";
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void loseNothingAndApplyNothingTwiceOnH2() throws Exception {
        crashAndRecover(Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString()));
    }

    @Test
    void loseNothingAndApplyNothingTwiceOnPostgres() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create()) {
            crashAndRecover(Map.of("JUNCTION_DB_URL", db.url(), "JUNCTION_DB_USER", PostgresDatabase.USER));
        }
    }

    private void crashAndRecover(Map<String, String> env) throws Exception {
        try (RecordingTarget target = new RecordingTarget().delay(30)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(),
                    "resilience { max-in-flight = 4, retry { max-attempts = 50, min-backoff = 50ms, max-backoff = 1s } }"));
            int port = ServerProcess.freePort();
            Path log = dir.resolve("server.log");
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            List<String> keys = IntStream.range(0, MESSAGES).mapToObj(i -> "crash-" + i).toList();

            int ackedAtKill;
            int appliedAtKill;
            try (ServerProcess first = ServerProcess.start(config, port, env, log)) {
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> sendAll(port, keys, acknowledged));
                Await.until(Duration.ofSeconds(60), () -> target.applied().size() >= 300, () -> "only " + target.applied().size() + " delivered");
                first.kill();
                ackedAtKill = acknowledged.size();
                appliedAtKill = target.applied().size();
                sending.join();
            }
            assertTrue(ackedAtKill > appliedAtKill, "deliveries were under way at the kill: " + ackedAtKill + " acknowledged, "
                    + appliedAtKill + " applied");

            try (ServerProcess second = ServerProcess.start(config, port, env, log)) {
                // A webhook sender retries what was not acknowledged; what was, it never sends again.
                List<String> unacknowledged = keys.stream().filter(k -> !acknowledged.contains(k)).toList();
                Await.until(Duration.ofSeconds(120), () -> {
                    sendAll(port, unacknowledged.stream().filter(k -> !acknowledged.contains(k)).toList(), acknowledged);
                    return acknowledged.size() == MESSAGES;
                }, () -> (MESSAGES - acknowledged.size()) + " keys never acknowledged");
                Await.until(Duration.ofSeconds(120), () -> target.applied().containsAll(acknowledged),
                        () -> missing(acknowledged, target.applied()).size() + " acknowledged keys not delivered, e.g. "
                                + missing(acknowledged, target.applied()).stream().limit(5).toList());
            }

            assertEquals(Set.copyOf(keys), target.applied(), "exactly the keys sent were applied");
            Effects effects = Effects.of(keys, target);
            System.out.printf("crash test: %d acknowledged before the kill, %d applied then; after the restart: %s%n",
                    ackedAtKill, appliedAtKill, effects);
            assertEquals(List.of(), effects.lost(), "acknowledged keys never applied");
            assertEquals(List.of(), effects.duplicateEffects(), "keys that reached the target as two messages");
        }
    }

    /** Posts each key once, 32 at a time; keys answered 202 or 200 are acknowledged. Failures (refused, 503) are left for a retry. */
    private void sendAll(int port, List<String> keys, Set<String> acknowledged) {
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<?>> all = new java.util.ArrayList<>();
        for (String key : keys) {
            inFlight.acquireUninterruptibly();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(TestConfig.order("SO-" + key)))
                    .build();
            all.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, failure) -> {
                if (failure == null && (response.statusCode() == 202 || response.statusCode() == 200)) {
                    acknowledged.add(key);
                }
                inFlight.release();
                return null;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    private static Set<String> missing(Set<String> expected, Set<String> actual) {
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(actual);
        return missing;
    }
}
