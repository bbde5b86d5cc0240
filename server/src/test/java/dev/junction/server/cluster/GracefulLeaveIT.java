package dev.junction.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that stops gracefully (CoordinatedShutdown, as on SIGTERM) under load hands its partitions over only after the
 * deliveries under way have finished and settled: nothing is lost, and nothing is delivered twice.
 */
class GracefulLeaveIT {
    @TempDir
    Path dir;

    @Test
    void aLeavingNodeFinishesItsDeliveriesBeforeItsPartitionsMove() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget erp = new RecordingTarget().delay(300)) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), "")
                    .replace("node.port = 0", "node.port = 0\n  inbox.partitions = 8") + "\npekko.cluster.min-nr-of-members = 2\n");
            try (RunningServer a = RunningServer.start(config, dir.resolve("a"), LocalCluster.firstNodeEnv(db))) {
                RunningServer b = RunningServer.start(config, dir.resolve("b"), LocalCluster.joiningEnv(db, a));
                Await.until(Duration.ofSeconds(30), () -> LocalCluster.up(a) == 2, () -> "cluster of two not formed");
                Load load = new Load(a, "/webhooks/webshop/orders", "order", 25);
                List<String> accepted;
                try {
                    Thread.sleep(4000);
                    long leaving = System.currentTimeMillis();
                    b.close(); // CoordinatedShutdown: leave, hand partitions over, stop
                    System.out.printf("graceful leave: the node left in %d ms%n", System.currentTimeMillis() - leaving);
                    Await.until(Duration.ofSeconds(30), () -> LocalCluster.up(a) == 1, () -> "the node did not leave");
                    Thread.sleep(3000);
                } finally {
                    load.close();
                }
                accepted = load.accepted();
                Await.until(Duration.ofSeconds(60), () -> erp.applied().containsAll(accepted),
                        () -> accepted.stream().filter(k -> !erp.applied().contains(k)).count() + " accepted keys not delivered");
                long again = accepted.stream().filter(k -> erp.successes(k) > 1).count();
                System.out.printf("graceful leave: %d accepted, %d refused while partitions moved, %d delivered twice%n",
                        accepted.size(), load.refused.size(), again);
                assertTrue(accepted.size() > 200, () -> "too little load: " + accepted.size());
                assertEquals(0, again, "a graceful leave delivers nothing twice");
            }
        }
    }
}
