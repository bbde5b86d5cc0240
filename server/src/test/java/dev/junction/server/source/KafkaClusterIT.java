package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.connectors.testkit.LocalKafka;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.LocalCluster;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
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
 * Two Junction nodes (JVMs, one PostgreSQL journal) consume one topic of four partitions as two members of one consumer
 * group; mid-stream the node that is not the oldest is killed with SIGKILL (so the survivor is the side the split brain
 * resolver keeps). Kafka gives its partitions to the survivor after the session timeout, the cluster moves its inbox
 * partitions there: every record reaches the target once per key, per message id and per order, and the group's lag ends at 0.
 */
class KafkaClusterIT {
    private static final int MESSAGES = 6_000;
    private static final int PARTITIONS = 4;
    private static final String GROUP = "junction-cluster";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the nodes' and the broker's logs stay when it fails
    Path dir;

    @Test
    void aKilledNodesPartitionsAreConsumedByTheOtherLosingNothingAndApplyingNothingTwice() throws Exception {
        String topic = "cluster-orders";
        try (PostgresDatabase db = PostgresDatabase.create();
             LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"));
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrap(),
                     "acks", "all", "enable.idempotence", true, "linger.ms", 5), new ByteArraySerializer(), new ByteArraySerializer());
             RecordingTarget target = new RecordingTarget(32)) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            run(db, kafka, admin, producer, topic, target);
        }
    }

    private void run(PostgresDatabase db, LocalKafka kafka, Admin admin, KafkaProducer<byte[], byte[]> producer, String topic,
                     RecordingTarget target) throws Exception {
        Path config = TestConfig.write(dir, """
            junction {
              inbox.partitions = 8
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
                  source { system = events, kafka { topics = ["%s"], group-id = %s, commit-interval = 100ms } }
                  targets = [ { system = erp, http { path = "/erp/orders" } } ]
                }
              }
            }
            """.formatted(kafka.bootstrap(), target.baseUrl(), topic, GROUP));
        int oldest = LocalCluster.freePort();
        int other = LocalCluster.freePort();
        if (other < oldest) { // keep-majority keeps the half with the lowest address when two halves are equal
            int t = oldest;
            oldest = other;
            other = t;
        }
        List<String> jvm = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        List<String> orders = IntStream.range(0, MESSAGES).mapToObj(i -> "order-" + i).toList();
        Map<String, String> positionOf = new ConcurrentHashMap<>();
        AtomicInteger published = new AtomicInteger();
        int appliedAtKill;
        try (ServerProcess a = ServerProcess.start(config, ServerProcess.freePort(), env(db, oldest, oldest), dir.resolve("a.log"), jvm);
             ServerProcess b = ServerProcess.start(config, ServerProcess.freePort(), env(db, oldest, other), dir.resolve("b.log"), jvm)) {
            Await.until(Duration.ofSeconds(60), () -> members(admin) == 2, () -> members(admin) + " members in the group");
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> KafkaRecords.produceSlowly(producer, topic, orders, positionOf, published, 200));
            Await.until(Duration.ofSeconds(90), () -> target.applied().size() >= MESSAGES / 4,
                    () -> target.applied().size() + " delivered; see " + dir);
            b.kill();
            appliedAtKill = target.applied().size();
            producing.join();
            Await.until(Duration.ofSeconds(120), () -> target.applied().size() >= MESSAGES,
                    () -> (MESSAGES - target.applied().size()) + " records never reached the target; see " + dir);
            Await.until(Duration.ofSeconds(60), () -> KafkaRecords.lagOrMinusOne(admin, topic, PARTITIONS, GROUP) == 0, () -> "lag " + KafkaRecords.lagOrMinusOne(admin, topic, PARTITIONS, GROUP) + " left");
        }

        Map<String, Set<String>> messageIdsOfOrder = new HashMap<>();
        for (String key : target.applied()) {
            for (String b : target.bodies(key)) {
                messageIdsOfOrder.computeIfAbsent(b, x -> new java.util.HashSet<>()).addAll(target.messageIds(key));
            }
        }
        Set<String> keys = Set.copyOf(positionOf.values());
        long lostOrders = orders.stream().filter(o -> !messageIdsOfOrder.containsKey(KafkaRecords.body(o))).count();
        long ordersTwice = orders.stream().filter(o -> messageIdsOfOrder.getOrDefault(KafkaRecords.body(o), Set.of()).size() > 1).count();
        long lostKeys = keys.stream().filter(k -> !target.applied().contains(k)).count();
        long keysTwice = keys.stream().filter(k -> target.messageIds(k).size() > 1).count();
        System.out.printf("kafka cluster test: node killed with %d of %d applied; %d orders lost, %d orders under more than one "
                + "message id, %d keys lost, %d keys under more than one message id%n", appliedAtKill, MESSAGES, lostOrders,
                ordersTwice, lostKeys, keysTwice);
        assertEquals(0, lostOrders, "orders that never reached the target");
        assertEquals(0, ordersTwice, "orders applied under more than one Junction message id: duplicate effects");
        assertEquals(0, lostKeys, "records (topic-partition-offset keys) that never reached the target");
        assertEquals(0, keysTwice, "keys accepted under more than one message id: duplicate effects");
        assertEquals(keys, target.applied(), "exactly the records' positions reached the target");
    }

    private Map<String, String> env(PostgresDatabase db, int seed, int own) throws Exception {
        Map<String, String> env = new HashMap<>(LocalCluster.nodeEnv(db, seed, own));
        env.put("JUNCTION_PLUGINS_DIR", KafkaCrashIT.pluginDirectory().toString());
        env.put("JUNCTION_MGMT_PORT", String.valueOf(LocalCluster.freePort()));
        env.put("JUNCTION_DATA_DIR", dir.resolve("data-" + own).toString());
        return env;
    }

    private static int members(Admin admin) {
        try {
            return admin.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS).get(GROUP).members().size();
        } catch (Exception e) {
            return -1;
        }
    }
}
