package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.connectors.testkit.LocalKafka;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 orders are produced at 1,000/s to a topic of three partitions on a Kafka broker of the test's own
 * ({@link LocalKafka}); the server (the jar, with the kafka plugin from its plugin folder) consumes them as a member of a
 * consumer group, keyed by the records' topic-partition-offset (the default), into an HTTP target that counts effects per
 * key and per Junction message id. It is killed with SIGKILL mid-way (records handed to the inbox and not yet committed,
 * more produced while it is down) and started again. Every record reaches the target, none is lost, none has two effects,
 * every order's body arrives under exactly one key, and the group ends with a lag of 0.
 */
class KafkaCrashIT {
    private static final int MESSAGES = 10_000;
    private static final int PARTITIONS = 3;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the server's and the broker's logs stay when it fails
    Path dir;

    @Test
    void aKilledServerLosesNothingFromTheTopicAndAppliesNothingTwice() throws Exception {
        String topic = "crash-orders";
        try (LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"));
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrap(),
                     "acks", "all", "enable.idempotence", true, "linger.ms", 5), new ByteArraySerializer(), new ByteArraySerializer());
             RecordingTarget target = new RecordingTarget(32)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            run(kafka, admin, producer, topic, target);
        }
    }

    private void run(LocalKafka kafka, Admin admin, KafkaProducer<byte[], byte[]> producer, String topic, RecordingTarget target)
            throws Exception {
        Path config = TestConfig.write(dir, """
            junction {
              systems {
                events { connector = kafka, bootstrap-servers = "%s", request-timeout = 2s }
                erp {
                  connector = http
                  base-url = "%s"
                  resilience { max-in-flight = 32, retry { max-attempts = 50, min-backoff = 50ms, max-backoff = 1s } }
                }
              }
              integrations {
                orders-from-kafka {
                  source { system = events, kafka { topics = ["%s"], group-id = junction-crash, commit-interval = 100ms } }
                  targets = [ { system = erp, http { path = "/erp/orders" } } ]
                }
              }
            }
            """.formatted(kafka.bootstrap(), target.baseUrl(), topic));
        Map<String, String> env = Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString(),
                "JUNCTION_PLUGINS_DIR", pluginDirectory().toString());
        int port = ServerProcess.freePort();
        Path log = dir.resolve("server.log");

        List<String> orders = IntStream.range(0, MESSAGES).mapToObj(i -> "order-" + i).toList();
        Map<String, String> positionOf = new ConcurrentHashMap<>(); // order -> topic-partition-offset, its key in Junction
        AtomicInteger published = new AtomicInteger();
        int appliedAtKill;
        int publishedAtKill;
        long lagAtKill;
        CompletableFuture<Void> publishing;
        try (ServerProcess first = ServerProcess.start(config, port, env, log)) {
            publishing = CompletableFuture.runAsync(() -> KafkaRecords.produceSlowly(producer, topic, orders, positionOf, published, 100));
            CompletableFuture<Void> watched = publishing;
            Await.until(Duration.ofSeconds(120), () -> {
                if (watched.isCompletedExceptionally()) {
                    watched.join(); // throws why producing failed
                }
                return published.get() >= MESSAGES * 4 / 10 && target.applied().size() >= 100;
            }, () -> published.get() + " published, " + target.applied().size() + " delivered; see " + log);
            first.kill();
            appliedAtKill = target.applied().size();
            publishedAtKill = published.get();
        }
        lagAtKill = KafkaRecords.lag(admin, topic, PARTITIONS, "junction-crash");
        assertTrue(appliedAtKill < MESSAGES && lagAtKill > 0, "killed mid-way: " + appliedAtKill + " applied, lag " + lagAtKill);

        try (ServerProcess second = ServerProcess.start(config, port, env, log)) {
            publishing.join();
            Await.until(Duration.ofSeconds(180), () -> target.applied().size() >= MESSAGES,
                    () -> (MESSAGES - target.applied().size()) + " records never reached the target; see " + log);
            Await.until(Duration.ofSeconds(60), () -> KafkaRecords.lagOrMinusOne(admin, topic, PARTITIONS, "junction-crash") == 0, () -> "lag " + KafkaRecords.lagOrMinusOne(admin, topic, PARTITIONS, "junction-crash") + " left");
        }

        Set<String> keys = Set.copyOf(positionOf.values());
        assertEquals(MESSAGES, keys.size(), "every order sits at a position of its own");
        // per order, whatever key it came under: the Junction message ids its body arrived with
        Map<String, Set<String>> messageIdsOfOrder = new HashMap<>();
        for (String key : target.applied()) {
            for (String b : target.bodies(key)) {
                messageIdsOfOrder.computeIfAbsent(b, x -> new java.util.HashSet<>()).addAll(target.messageIds(key));
            }
        }
        long lostOrders = orders.stream().filter(o -> !messageIdsOfOrder.containsKey(KafkaRecords.body(o))).count();
        long ordersTwice = orders.stream().filter(o -> messageIdsOfOrder.getOrDefault(KafkaRecords.body(o), Set.of()).size() > 1).count();
        long lostKeys = keys.stream().filter(k -> !target.applied().contains(k)).count();
        long strangeKeys = target.applied().stream().filter(k -> !keys.contains(k)).count();
        long keysTwice = keys.stream().filter(k -> target.messageIds(k).size() > 1).count();
        long wrongBody = orders.stream().filter(o -> !target.bodies(positionOf.get(o)).equals(Set.of(KafkaRecords.body(o)))).count();
        long redelivered = keys.stream().filter(k -> target.successes(k) > 1).count();
        System.out.printf("kafka crash test: killed with %d of %d published, %d applied, lag %d; %d orders lost, %d orders "
                + "applied under more than one message id; %d keys lost, %d unexpected keys, %d keys under more than one message "
                + "id, %d keys with another body; %d keys delivered again after the restart (same message id: harmless)%n",
                publishedAtKill, MESSAGES, appliedAtKill, lagAtKill, lostOrders, ordersTwice, lostKeys, strangeKeys, keysTwice,
                wrongBody, redelivered);
        assertEquals(0, lostOrders, "orders that never reached the target");
        assertEquals(0, ordersTwice, "orders applied under more than one Junction message id: duplicate effects");
        assertEquals(0, lostKeys, "records (topic-partition-offset keys) that never reached the target");
        assertEquals(0, strangeKeys, "keys that are no record's position");
        assertEquals(0, keysTwice, "keys accepted under more than one message id: duplicate effects");
        assertEquals(0, wrongBody, "records delivered with another record's body");
    }

    static Path pluginDirectory() {
        Path dir = Path.of(System.getProperty("test.kafka.plugin.dir", "../connectors/kafka/target/plugin")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("kafka"))) {
            throw new IllegalStateException("the kafka plugin is not built at " + dir + ": run the whole build (mvn verify), or "
                    + "mvn -pl connectors/kafka -am package first");
        }
        return dir;
    }
}
