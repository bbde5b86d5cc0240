package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 orders are published at 1,000/s to a JetStream stream of the test's own on the NATS server at 127.0.0.1:4222, each
 * with its key as Nats-Msg-Id; the server (the jar, with the nats plugin from its plugin folder) consumes them through a
 * durable pull consumer into an HTTP target that counts effects per key and per Junction message id, is killed with SIGKILL
 * mid-way (messages pulled and not acknowledged, more published while it is down) and started again. Every message reaches
 * the target, none is lost, none has two effects, and the consumer ends with nothing pending and nothing unacknowledged.
 */
class NatsCrashIT {
    private static final int MESSAGES = 10_000;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the server's log stays when it fails
    Path dir;

    @Test
    void aKilledServerLosesNothingFromTheStreamAndAppliesNothingTwice() throws Exception {
        String stream = "CRASH_" + UUID.randomUUID().toString().replace("-", "");
        String subject = "crash." + UUID.randomUUID().toString().replace("-", "") + ".orders";
        try (Connection nats = Nats.connect("nats://127.0.0.1:4222"); RecordingTarget target = new RecordingTarget(32)) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject).storageType(StorageType.File).build());
            try {
                run(nats, jsm, stream, subject, target);
            } finally {
                jsm.deleteStream(stream);
            }
        }
    }

    private void run(Connection nats, JetStreamManagement jsm, String stream, String subject, RecordingTarget target) throws Exception {
        List<String> keys = IntStream.range(0, MESSAGES).mapToObj(i -> "order-" + i).toList();
        Path config = TestConfig.write(dir, """
            junction {
              systems {
                events { connector = nats, url = "nats://127.0.0.1:4222", reconnect-wait = 200ms }
                erp {
                  connector = http
                  base-url = "%s"
                  resilience { max-in-flight = 32, retry { max-attempts = 50, min-backoff = 50ms, max-backoff = 1s } }
                }
              }
              integrations {
                orders-from-nats {
                  source { system = events, nats { stream = "%s", consumer = junction, ack-wait = 5s, batch = 256 } }
                  targets = [ { system = erp, http { path = "/erp/orders" } } ]
                }
              }
            }
            """.formatted(target.baseUrl(), stream));
        Map<String, String> env = Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString(),
                "JUNCTION_PLUGINS_DIR", pluginDirectory().toString());
        int port = ServerProcess.freePort();
        Path log = dir.resolve("server.log");

        AtomicInteger published = new AtomicInteger();
        int appliedAtKill;
        int publishedAtKill;
        CompletableFuture<Void> publishing;
        try (ServerProcess first = ServerProcess.start(config, port, env, log)) {
            JetStream js = nats.jetStream();
            publishing = CompletableFuture.runAsync(() -> publishSlowly(js, subject, keys, published));
            CompletableFuture<Void> watched = publishing;
            Await.until(Duration.ofSeconds(120), () -> {
                if (watched.isCompletedExceptionally()) {
                    watched.join(); // throws why publishing failed
                }
                return published.get() >= MESSAGES * 4 / 10 && target.applied().size() >= 100;
            }, () -> published.get() + " published, " + target.applied().size() + " delivered; see " + log);
            first.kill();
            appliedAtKill = target.applied().size();
            publishedAtKill = published.get();
        }
        ConsumerInfo atKill = jsm.getConsumerInfo(stream, "junction");
        long leftAtKill = atKill.getNumPending() + atKill.getNumAckPending();
        assertTrue(appliedAtKill < MESSAGES && leftAtKill > 0, "killed mid-way: " + appliedAtKill + " applied, " + leftAtKill + " left");

        try (ServerProcess second = ServerProcess.start(config, port, env, log)) {
            publishing.join();
            Await.until(Duration.ofSeconds(180), () -> target.applied().size() == MESSAGES,
                    () -> (MESSAGES - target.applied().size()) + " messages never reached the target; see " + log);
            Await.until(Duration.ofSeconds(60), () -> left(jsm, stream) == 0, () -> left(jsm, stream) + " messages pending or unacknowledged");
        }

        assertEquals(Set.copyOf(keys), target.applied(), "every message of the stream reached the target: 0 lost");
        List<String> twice = keys.stream().filter(k -> target.messageIds(k).size() != 1).toList();
        assertEquals(List.of(), twice.stream().limit(10).toList(),
                twice.size() + " keys arrived under more than one message id: duplicate effects");
        long redelivered = keys.stream().filter(k -> target.successes(k) > 1).count();
        System.out.printf("nats crash test: killed with %d of %d published, %d applied, %d pending or unacknowledged; 0 lost,"
                + " 0 duplicate effects, %d keys delivered again after the restart (same message id: harmless)%n",
                publishedAtKill, MESSAGES, appliedAtKill, leftAtKill, redelivered);
    }

    static Path pluginDirectory() {
        Path dir = Path.of(System.getProperty("test.nats.plugin.dir", "../connectors/nats/target/plugin")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("nats"))) {
            throw new IllegalStateException("the nats plugin is not built at " + dir + ": run the whole build (mvn verify), or "
                    + "mvn -pl connectors/nats -am package first");
        }
        return dir;
    }

    /** 100 messages every 100 ms, each acknowledged by the stream. */
    private static void publishSlowly(JetStream js, String subject, List<String> keys, AtomicInteger published) {
        try {
            for (int from = 0; from < keys.size(); from += 100) {
                long started = System.nanoTime();
                for (String k : keys.subList(from, Math.min(keys.size(), from + 100))) {
                    Headers headers = new Headers();
                    headers.put("Nats-Msg-Id", k);
                    js.publish(subject, headers, ("{\"id\":\"" + k + "\",\"total\":52.0}").getBytes(StandardCharsets.UTF_8));
                }
                published.set(Math.min(keys.size(), from + 100));
                Thread.sleep(Math.max(0, 100 - (System.nanoTime() - started) / 1_000_000));
            }
        } catch (Exception e) {
            throw new IllegalStateException("publishing failed", e);
        }
    }

    private static long left(JetStreamManagement jsm, String stream) {
        try {
            ConsumerInfo info = jsm.getConsumerInfo(stream, "junction");
            return info.getNumPending() + info.getNumAckPending();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
