package dev.junction.server.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.Load;
import dev.junction.server.testing.LocalCluster;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes deliver to one system; it answers one of them 429 with Retry-After: 3. Both nodes pause: the pause travels the
 * cluster, so the system is not hammered by the node that was not told.
 */
class ClusterPauseIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RETRY_AFTER_MILLIS = 3000;
    /** Room for the one call the other node may have on its way, and for the pause to cross the cluster. */
    private static final long GRACE_MILLIS = 200;

    @TempDir
    Path dir;

    @Test
    void aRetryAfterPausesTheSystemOnEveryNode() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (PostgresDatabase db = PostgresDatabase.create();
             RecordingTarget erp = new RecordingTarget().retryAfter("3")
                     .respondWith((key, n) -> requests.incrementAndGet() == 200 ? 429 : 200)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), "resilience.max-in-flight = 1")
                    .replace("node.port = 0", "node.port = 0\n  inbox.partitions = 8") + "\npekko.cluster.min-nr-of-members = 2\n");
            try (RunningServer a = RunningServer.start(config, dir.resolve("a"), LocalCluster.firstNodeEnv(db));
                 RunningServer b = RunningServer.start(config, dir.resolve("b"), LocalCluster.joiningEnv(db, a))) {
                Await.until(Duration.ofSeconds(30), () -> LocalCluster.up(a) == 2 && LocalCluster.up(b) == 2,
                        () -> "cluster of two not formed");
                Load load = new Load(a, "/webhooks/webshop/orders", "order", 10);
                try {
                    Await.until(Duration.ofSeconds(30), () -> erp.answers().stream().anyMatch(x -> x.status() == 429), () -> "no 429 yet");
                    // The target counts its answer before a node has read it: give the pause a moment to show on both.
                    Await.until(Duration.ofSeconds(1), () -> paused(a) && paused(b), () -> "not paused on both nodes");
                    JsonNode statusA = status(a);
                    JsonNode statusB = status(b);
                    assertTrue(statusA.get("attempts").asLong() > 0 && statusB.get("attempts").asLong() > 0,
                            () -> "both nodes deliver: " + statusA + " / " + statusB);
                    assertTrue(statusA.hasNonNull("pausedUntil") && statusB.hasNonNull("pausedUntil"),
                            () -> "both nodes paused: " + statusA + " / " + statusB);
                    Thread.sleep(RETRY_AFTER_MILLIS + 1000);
                } finally {
                    load.close();
                }
                List<String> accepted = load.accepted();
                Await.until(Duration.ofSeconds(30), () -> erp.applied().containsAll(accepted), () -> "not all delivered");

                long answered = erp.answers().stream().filter(x -> x.status() == 429).findFirst().orElseThrow().at();
                List<Long> during = erp.arrivals().stream().filter(t -> t > answered + GRACE_MILLIS && t < answered + RETRY_AFTER_MILLIS).toList();
                long next = erp.arrivals().stream().filter(t -> t > answered + GRACE_MILLIS).findFirst().orElseThrow();
                System.out.printf("cluster pause: after the 429 the next request (beyond %d ms) came %d ms later%n", GRACE_MILLIS, next - answered);
                assertTrue(during.isEmpty(), () -> during.size() + " requests reached the system during its Retry-After");
            }
        }
    }

    private static boolean paused(RunningServer server) {
        try {
            return status(server).hasNonNull("pausedUntil");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode status(RunningServer server) throws Exception {
        return JSON.readTree(server.get("/api/v1/systems/erp").body());
    }
}
