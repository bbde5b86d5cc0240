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
 * deliveries under way have finished and settled: nothing is lost, and nothing is delivered twice. Deliveries that have not
 * made an attempt yet (waiting for a slow system's slot) are withdrawn rather than waited for: the next owner makes them.
 */
class GracefulLeaveIT {
    @TempDir
    Path dir;

    @Test
    void aLeavingNodeFinishesItsDeliveriesBeforeItsPartitionsMove() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget erp = new RecordingTarget().delay(300)) {
            Path config = config(erp, "");
            try (RunningServer a = RunningServer.start(config, dir.resolve("a"), LocalCluster.firstNodeEnv(db))) {
                RunningServer b = join(config, db, a);
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

    @Test
    void aLeavingNodeWithdrawsTheDeliveriesWaitingForASlowSystemInsteadOfWaitingForThem() throws Exception {
        // One call at a time, 400 ms each: 2.5 deliveries a second per node, so a backlog builds up behind the slot that the
        // leaving node would take 18-20 s to deliver itself (its hand-off timeout is 20 s) if it waited for all of it.
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget erp = new RecordingTarget().delay(400)) {
            Path config = config(erp, "resilience.max-in-flight = 1");
            try (RunningServer a = RunningServer.start(config, dir.resolve("a"), LocalCluster.firstNodeEnv(db))) {
                RunningServer b = join(config, db, a);
                Load load = new Load(a, "/webhooks/webshop/orders", "slow", 50);
                try {
                    Thread.sleep(5000);
                } finally {
                    load.close();
                }
                List<String> accepted = load.accepted();
                int deliveredBefore = erp.applied().size();
                long leaving = System.currentTimeMillis();
                List<String> timedOut = new java.util.concurrent.CopyOnWriteArrayList<>();
                try (AutoCloseable watching = watchHandOffs(timedOut)) {
                    b.close();
                }
                long left = System.currentTimeMillis() - leaving;
                Await.until(Duration.ofSeconds(30), () -> LocalCluster.up(a) == 1, () -> "the node did not leave");
                Await.until(Duration.ofSeconds(90), () -> erp.applied().containsAll(accepted),
                        () -> accepted.stream().filter(k -> !erp.applied().contains(k)).count() + " accepted keys not delivered");
                long again = accepted.stream().filter(k -> erp.successes(k) > 1).count();
                System.out.printf("graceful leave behind a slow system: %d accepted, %d delivered when the node began to leave, "
                        + "it left in %d ms; %d delivered twice%n", accepted.size(), deliveredBefore, left, again);
                assertTrue(accepted.size() - deliveredBefore > 50, () -> "too small a backlog: " + accepted.size() + " accepted, "
                        + deliveredBefore + " delivered");
                assertEquals(0, again, "a graceful leave delivers nothing twice, however long its backlog");
                assertEquals(List.of(), timedOut, "no partition waited out its hand-off for deliveries that had not started");
                // Node a's one slot answers at most one call per 400 ms; calls beyond that while b left were b's own: at most
                // the one under way when it began, if it withdrew what waited rather than delivering it itself.
                long answered = erp.answers().stream().filter(x -> x.at() >= leaving && x.at() <= leaving + left).count();
                long byA = left / 400 + 1;
                System.out.printf("graceful leave behind a slow system: %d calls answered while the node left (at most %d from the"
                        + " other node)%n", answered, byA);
                assertTrue(answered <= byA + 1, () -> answered + " calls answered while the node left, the other node's slot"
                        + " allows " + byA + ": the leaving node delivered its backlog itself instead of withdrawing it");
            }
        }
    }

    /** Webhook to the ERP over eight partitions, on a cluster of at least two nodes; {@code erpSettings} go into the ERP's block. */
    private Path config(RecordingTarget erp, String erpSettings) {
        return TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), erpSettings)
                .replace("node.port = 0", "node.port = 0\n  inbox.partitions = 8") + "\npekko.cluster.min-nr-of-members = 2\n");
    }

    /** Starts a second node beside {@code a} and waits until the two form a cluster. */
    private RunningServer join(Path config, PostgresDatabase db, RunningServer a) throws Exception {
        RunningServer b = RunningServer.start(config, dir.resolve("b"), LocalCluster.joiningEnv(db, a));
        Await.until(Duration.ofSeconds(30), () -> LocalCluster.up(a) == 2, () -> "cluster of two not formed");
        return b;
    }

    /** Collects the log lines of partitions whose hand-off timed out (and of a region whose shutdown did). */
    private static AutoCloseable watchHandOffs(List<String> lines) {
        ch.qos.logback.classic.LoggerContext context = (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> capture = new ch.qos.logback.core.AppenderBase<>() {
            @Override
            protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
                String line = event.getFormattedMessage();
                if (line.contains("hands off with") || line.contains("Graceful shutdown of shard region timed out")) {
                    lines.add(line);
                }
            }
        };
        capture.setContext(context);
        capture.start();
        ch.qos.logback.classic.Logger root = context.getLogger(ch.qos.logback.classic.Logger.ROOT_LOGGER_NAME);
        root.addAppender(capture);
        return () -> root.detachAppender(capture);
    }
}
