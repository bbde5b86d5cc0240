package dev.junction.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.junction.connectors.api.Connector;
import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Ingestor;
import dev.junction.connectors.api.SourceContext;
import dev.junction.connectors.api.SourceInstance;
import dev.junction.connectors.api.SourceStatus;
import dev.junction.connectors.api.UnusableMessage;
import dev.junction.connectors.testkit.BadConfig;
import dev.junction.connectors.testkit.ConnectorContract;
import dev.junction.connectors.testkit.FailureCase;
import dev.junction.connectors.testkit.LocalKafka;
import dev.junction.connectors.testkit.MemoryPositions;
import dev.junction.connectors.testkit.SinkFixture;
import dev.junction.connectors.testkit.SourceFixture;
import dev.junction.connectors.testkit.TestIngestor;
import dev.junction.connectors.testkit.TestMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The connector test kit on the kafka connector, against a single-node KRaft broker of the test's own ({@link LocalKafka}),
 * in topics and groups of the test's own. A dropped connection is the broker killed (SIGKILL) and started again mid-stream;
 * what is outstanding is the group's lag (end offsets minus committed offsets). Beyond the kit: a rebalance between two
 * members of one group, a commit that never passes a record the inbox does not hold, a partition taken away that its former
 * member never commits again (the broker would take that commit: only the member's generation is checked), and a record
 * without a key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaConnectorContractIT extends ConnectorContract {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private Path brokerDir;
    private LocalKafka kafka;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;
    private ActorSystem<Void> actors;
    private ExecutorService blocking;

    @BeforeAll
    void startBroker() throws Exception {
        brokerDir = Files.createTempDirectory("local-kafka");
        kafka = LocalKafka.start(brokerDir);
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()));
        // a plain producer (the sources recognise a record written twice by its message-id): the idempotent one, shared by
        // tests that kill the broker, once stalled on OUT_OF_ORDER_SEQUENCE_NUMBER for a new topic
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrap(), "acks", "all", "linger.ms", 5,
                "enable.idempotence", false), new ByteArraySerializer(), new ByteArraySerializer());
        actors = ActorSystem.create(Behaviors.empty(), "kafka-it", ConfigFactory.parseString(
                "pekko.loglevel = WARNING\npekko.coordinated-shutdown.exit-jvm = off").withFallback(ConfigFactory.load()));
        blocking = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "testkit-kafka-it");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    void stopBroker() throws Exception {
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
        kafka.close();
        actors.terminate();
        blocking.shutdownNow();
        try (var files = Files.walk(brokerDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Override
    protected Connector connector() {
        return new KafkaConnector();
    }

    @Override
    protected List<BadConfig> badConfigs() {
        return List.of(
                BadConfig.system("bootstrap-servers = \"kafka://127.0.0.1\"", "bootstrap-servers", "must be host:port pairs"),
                BadConfig.system("request-timeout = 5s", "bootstrap-servers", "is required"),
                BadConfig.system("bootstrap-servers = \"a:9092\", security-protocol = TLS", "security-protocol", "must be one of"),
                BadConfig.source("kafka", "group-id = g", "topics", "is required"),
                BadConfig.source("kafka", "topics = [\"a b\"], group-id = g", "topics", "must name at least one topic"),
                BadConfig.source("kafka", "topics = [a]", "group-id", "is required"),
                BadConfig.source("kafka", "topics = [a], group-id = g, idempotency-key = \"message-id\"", "idempotency-key",
                        "must be record-key, topic-partition-offset"),
                BadConfig.source("kafka", "topics = [a], group-id = g, start-from = middle", "start-from", "must be one of"),
                BadConfig.target("key = \"json:id\", topic = t", "key", "JSON pointer"),
                BadConfig.target("key = \"idempotency-key\"", "topic", "is required"));
    }

    private String topic(int partitions) throws Exception {
        String name = "contract-" + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return name;
    }

    private Config system() {
        return ConfigFactory.parseString("bootstrap-servers = \"" + kafka.bootstrap() + "\", request-timeout = 2s");
    }

    @Override
    protected SourceFixture sourceFixture() throws Exception {
        return new Topic(topic(2), "group-" + UUID.randomUUID());
    }

    @Override
    protected SinkFixture sinkFixture() throws Exception {
        return new Subscriber(topic(1));
    }

    private void publish(String topic, List<TestMessage> messages) throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (TestMessage m : messages) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, m.key().getBytes(StandardCharsets.UTF_8),
                    m.json().getBytes(StandardCharsets.UTF_8));
            r.headers().add("message-id", m.key().getBytes(StandardCharsets.UTF_8));
            sent.add(producer.send(r));
        }
        for (var f : sent) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** The group's lag on {@code topic}: records not covered by a committed offset. */
    private long lag(String topic, String group) throws Exception {
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions();
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new java.util.HashMap<>();
        partitions.forEach(p -> {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
        });
        var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        var starts = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        long lag = 0;
        for (TopicPartition tp : latest.keySet()) {
            OffsetAndMetadata c = committed.get(tp);
            lag += ends.get(tp).offset() - (c == null ? starts.get(tp).offset() : c.offset());
        }
        return lag;
    }

    /** The group's lag on one partition of {@code topic}. */
    private long lag(String topic, String group, int partition) throws Exception {
        TopicPartition tp = new TopicPartition(topic, partition);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
        OffsetAndMetadata c = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(tp);
        return end - (c == null ? 0 : c.offset());
    }

    private Config sourceSettings(String topic, String group) {
        return ConfigFactory.parseString("topics = [\"" + topic + "\"], group-id = \"" + group
                + "\", idempotency-key = \"header:message-id\", commit-interval = 200ms, max-in-flight = 100");
    }

    /** A topic of two partitions the source consumes as a member of a group of the test's own. */
    private final class Topic implements SourceFixture {
        private final String topic;
        private final String group;

        Topic(String topic, String group) {
            this.topic = topic;
            this.group = group;
        }

        @Override
        public String kind() {
            return "kafka";
        }

        @Override
        public Config settings() {
            return sourceSettings(topic, group);
        }

        @Override
        public Config system() {
            return KafkaConnectorContractIT.this.system();
        }

        @Override
        public void publish(SourceInstance running, List<TestMessage> messages) throws Exception {
            KafkaConnectorContractIT.this.publish(topic, messages);
        }

        @Override
        public long outstanding() throws Exception {
            return lag(topic, group);
        }

        @Override
        public boolean dropConnection(SourceInstance running) throws Exception {
            kafka.killAndRestart(); // mid-stream: records in hand, offsets not yet committed
            return true;
        }

        @Override
        public boolean publishUnusable(SourceInstance running) throws Exception {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, "not json".getBytes(StandardCharsets.UTF_8));
            r.headers().add("message-id", "unusable-1".getBytes(StandardCharsets.UTF_8));
            producer.send(r).get(30, TimeUnit.SECONDS);
            return true;
        }

        @Override
        public List<String> ownThreads() {
            return List.of("kafka-producer-network-thread", "kafka-admin-client-thread");
        }
    }

    /** A topic the sink produces to, read from the start by a consumer of the test's; the key's native place is a header. */
    private final class Subscriber implements SinkFixture {
        private final String topic;
        private final List<Received> received = new CopyOnWriteArrayList<>();
        private final Thread reader;
        private volatile boolean closed;

        Subscriber(String topic) {
            this.topic = topic;
            reader = new Thread(this::read, "kafka-fixture-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrap(),
                    "group.id", "reader-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(topic));
                while (!closed) {
                    for (var r : c.poll(Duration.ofMillis(100))) {
                        var key = r.headers().lastHeader("idempotency-key");
                        received.add(new Received(key == null ? null : new String(key.value(), StandardCharsets.UTF_8),
                                new String(r.value(), StandardCharsets.UTF_8)));
                    }
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    throw e;
                }
            }
        }

        @Override
        public Config settings() {
            return ConfigFactory.parseString("topic = \"" + topic + "\", send-timeout = 3s");
        }

        @Override
        public Config system() {
            return KafkaConnectorContractIT.this.system();
        }

        @Override
        public List<Received> received() {
            return List.copyOf(received);
        }

        @Override
        public List<FailureCase> failures() {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return List.of(
                    new FailureCase("the topic does not exist", FailureCase.Expected.PERMANENT,
                            () -> admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS),
                            this::createAgain),
                    new FailureCase("a record over the topic's max.message.bytes", FailureCase.Expected.PERMANENT,
                            () -> admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                                    new ConfigEntry("max.message.bytes", "16"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS),
                            () -> admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                                    new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS)),
                    new FailureCase("the broker is down", FailureCase.Expected.RETRIABLE, kafka::pause, kafka::resume));
        }

        private void createAgain() throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200); // still being deleted
                }
            }
        }

        @Override
        public List<String> ownThreads() {
            return List.of("kafka-producer-network-thread", "kafka-admin-client-thread", "kafka-fixture-reader",
                    "kafka-coordinator-heartbeat-thread | reader-");
        }

        @Override
        public void close() throws Exception {
            closed = true;
            reader.join(10_000);
        }
    }

    // ---- beyond the kit

    private SourceInstance startSource(String topic, String group, Ingestor inbox) {
        return startSource(topic, group, inbox, SourceStatus.ignored());
    }

    private SourceInstance startSource(String topic, String group, Ingestor inbox, SourceStatus status) {
        KafkaSourceFactory factory = new KafkaSourceFactory();
        SourceContext context = new SourceContext("kafka-it", "events", new KafkaConnector().systemSpec().withDefaults(system()),
                factory.spec().withDefaults(sourceSettings(topic, group)), configDirectory, inbox, new MemoryPositions(),
                status, dev.junction.connectors.api.SystemCalls.DIRECT, dev.junction.connectors.api.RunRecorder.NONE, actors, blocking);
        SourceInstance source = factory.create(context);
        source.start();
        return source;
    }

    private static List<TestMessage> messages(String run, int from, int count) {
        return IntStream.range(from, from + count).mapToObj(n -> TestMessage.numbered(run, n)).toList();
    }

    private static Set<String> keys(List<TestMessage> messages) {
        Set<String> keys = new HashSet<>();
        messages.forEach(m -> keys.add(m.key()));
        return keys;
    }

    @Test
    void aRebalanceBetweenTwoMembersOfOneGroupLosesNothing() throws Exception {
        String topic = topic(4);
        String group = "rebalance-" + UUID.randomUUID();
        String run = "rebalance-" + System.nanoTime();
        TestIngestor inbox = new TestIngestor();
        Counting firstInbox = new Counting(inbox);
        Counting secondInbox = new Counting(inbox);
        Partitions firstHolds = new Partitions();
        Partitions secondHolds = new Partitions();
        SourceInstance first = startSource(topic, group, firstInbox, firstHolds);
        SourceInstance second = null;
        try {
            List<TestMessage> all = new ArrayList<>(messages(run, 0, 300));
            publish(topic, all);
            eventually("the first member takes some", () -> inbox.accepted().size() > 0);
            second = startSource(topic, group, secondInbox, secondHolds);
            eventually("Kafka moves partitions to the second member", () -> secondHolds.count() > 0 && firstHolds.count() < 4);
            List<TestMessage> more = messages(run, 300, 300);
            publish(topic, more);
            all.addAll(more);
            eventually("both members' records accepted", () -> inbox.acceptedKeys().containsAll(keys(all)));
            assertTrue(firstInbox.offers.get() > 0 && secondInbox.offers.get() > 0, "both members took records: "
                    + firstInbox.offers + " and " + secondInbox.offers);
            first.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            eventually("the second member holds every partition", () -> secondHolds.count() == 4);
            List<TestMessage> last = messages(run, 600, 200);
            publish(topic, last);
            all.addAll(last);
            eventually("every record accepted after the first member left", () -> inbox.acceptedKeys().containsAll(keys(all)));
            assertEquals(all.size(), inbox.accepted().size(), "each key accepted once");
            eventually("the group's lag is 0", () -> lag(topic, group) == 0);
        } finally {
            first.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            if (second != null) {
                second.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** A source's status as the test reads it: connected or not, and how many partitions it says it holds. */
    private static final class Partitions implements SourceStatus {
        private volatile String detail = "";
        private volatile boolean connected;

        @Override
        public void connected(String detail) {
            this.detail = detail;
            this.connected = true;
        }

        @Override
        public void disconnected(String reason, Duration retryIn) {
            this.connected = false;
        }

        List<String> names() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("partitions \\[([^\\]]*)\\]").matcher(detail);
            return m.find() && !m.group(1).isBlank() ? List.of(m.group(1).split(", ")) : List.of();
        }

        int count() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("partitions \\[([^\\]]*)\\]").matcher(detail);
            return m.find() && !m.group(1).isBlank() ? m.group(1).split(", ").length : 0;
        }
    }

    /** Counts what one member offers to an inbox it shares with another. */
    private static final class Counting implements Ingestor {
        final java.util.concurrent.atomic.AtomicInteger offers = new java.util.concurrent.atomic.AtomicInteger();
        private final Ingestor inner;

        Counting(Ingestor inner) {
            this.inner = inner;
        }

        @Override
        public CompletionStage<IngestResult> ingest(InboundMessage message) {
            offers.incrementAndGet();
            return inner.ingest(message);
        }

        @Override
        public CompletionStage<IngestResult> reject(UnusableMessage message) {
            return inner.reject(message);
        }
    }

    @Test
    void anOffsetIsCommittedOnlyOverRecordsTheInboxHolds() throws Exception {
        String topic = topic(1);
        String group = "prefix-" + UUID.randomUUID();
        String run = "prefix-" + System.nanoTime();
        List<TestMessage> messages = messages(run, 0, 10);
        String heldKey = messages.get(4).key(); // offset 4
        HoldOne inbox = new HoldOne(heldKey);
        SourceInstance source = startSource(topic, group, inbox);
        try {
            publish(topic, messages);
            eventually("the nine others accepted", () -> inbox.inner.acceptedKeys().size() == 9);
            eventually("committed up to the held record (offset 4)", () -> lag(topic, group) <= 6);
            Thread.sleep(1500); // several commit intervals: a wrong source would commit past the held record by now
            assertEquals(6, lag(topic, group), "committed up to the held record (offset 4), not past it");
            inbox.release();
            eventually("the held record accepted", () -> inbox.inner.acceptedKeys().contains(heldKey));
            eventually("then committed to the end", () -> lag(topic, group) == 0);
        } finally {
            inbox.release();
            source.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPartitionTakenAwayIsNeverCommittedByItsFormerMember() throws Exception {
        String topic = topic(2);
        String group = "revoked-" + UUID.randomUUID();
        String run = "revoked-" + System.nanoTime();
        List<List<TestMessage>> byPartition = List.of(messages(run + "-p0", 0, 10), messages(run + "-p1", 0, 10));
        HoldOne firstInbox = new HoldOne(byPartition.get(0).get(4).key(), byPartition.get(1).get(4).key());
        Partitions firstHolds = new Partitions();
        Partitions secondHolds = new Partitions();
        SourceInstance first = startSource(topic, group, firstInbox, firstHolds);
        SourceInstance second = null;
        try {
            for (int p = 0; p < 2; p++) {
                for (TestMessage m : byPartition.get(p)) {
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, p, null, m.json().getBytes(StandardCharsets.UTF_8));
                    r.headers().add("message-id", m.key().getBytes(StandardCharsets.UTF_8));
                    producer.send(r).get(30, TimeUnit.SECONDS);
                }
            }
            eventually("the first member holds everything but offset 4 of each partition",
                    () -> firstInbox.inner.acceptedKeys().size() == 18);
            eventually("and committed up to offset 4 of each", () -> lag(topic, group, 0) == 6 && lag(topic, group, 1) == 6);
            // a second member whose inbox refuses everything: it never commits the partition Kafka moves to it
            Ingestor refusing = new Ingestor() {
                @Override
                public CompletionStage<IngestResult> ingest(InboundMessage message) {
                    return CompletableFuture.completedFuture(new IngestResult.Unavailable("refused by the test", Duration.ofMillis(200)));
                }

                @Override
                public CompletionStage<IngestResult> reject(UnusableMessage message) {
                    return CompletableFuture.completedFuture(new IngestResult.Unavailable("refused by the test", Duration.ofMillis(200)));
                }
            };
            second = startSource(topic, group, refusing, secondHolds);
            eventually("Kafka moves one partition to the second member", () -> secondHolds.count() == 1 && firstHolds.count() == 1);
            int moved = secondHolds.names().get(0).endsWith("-1") ? 1 : 0;
            firstInbox.release(); // the first member's answer for the moved partition's offset 4 comes now, too late to count
            eventually("the partition the first member kept is committed to its end", () -> lag(topic, group, 1 - moved) == 0);
            Thread.sleep(1500); // several commit intervals of both members
            assertEquals(6, lag(topic, group, moved), "the moved partition's offset stays where its new member left it");
        } finally {
            firstInbox.release();
            first.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            if (second != null) {
                second.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theStatusShowsTheBrokerGoneAndBack() throws Exception {
        String topic = topic(1);
        Partitions status = new Partitions();
        SourceInstance source = startSource(topic, "status-" + UUID.randomUUID(), new TestIngestor(), status);
        try {
            eventually("connected, holding the partition", () -> status.connected && status.count() == 1);
            kafka.pause();
            try {
                eventually("disconnected while the broker is down", () -> !status.connected);
            } finally {
                kafka.resume();
            }
            eventually("connected again", () -> status.connected && status.count() == 1);
        } finally {
            source.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRecordWithoutAKeyBecomesADeadLetterWithItsRawBytes() throws Exception {
        String topic = topic(1);
        String group = "nokey-" + UUID.randomUUID();
        TestIngestor inbox = new TestIngestor();
        SourceInstance source = startSource(topic, group, inbox);
        try {
            byte[] body = "{\"id\":\"no header\"}".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, body)).get(30, TimeUnit.SECONDS);
            eventually("recorded as a dead letter", () -> inbox.rejected().size() == 1);
            UnusableMessage dead = inbox.rejected().get(0);
            assertEquals("invalid-key", dead.errorClass());
            assertArrayEquals(body, dead.raw());
            assertEquals(topic, dead.headers().get("kafka-topic"));
            eventually("and committed", () -> lag(topic, group) == 0);
        } finally {
            source.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    /** An inbox that holds its answers to some keys until released, and answers the others at once. */
    private static final class HoldOne implements Ingestor {
        final TestIngestor inner = new TestIngestor();
        private final Set<String> keys;
        private final CompletableFuture<Void> gate = new CompletableFuture<>();

        HoldOne(String... keys) {
            this.keys = Set.of(keys);
        }

        void release() {
            gate.complete(null);
        }

        @Override
        public CompletionStage<IngestResult> ingest(InboundMessage message) {
            if (keys.contains(message.idempotencyKey())) {
                return gate.thenCompose(x -> inner.ingest(message));
            }
            return inner.ingest(message);
        }

        @Override
        public CompletionStage<IngestResult> reject(UnusableMessage message) {
            return inner.reject(message);
        }
    }
}
