package dev.junction.server.inbox;

import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Ingestor;
import dev.junction.server.config.InboxSettings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * The inbox on this node: starts the sharded partitions, gives each integration its {@link Ingestor}, and keeps every
 * partition running so envelopes left pending by a crash are delivered without waiting for new traffic.
 */
public final class Inbox {
    private static final Duration WAKE_INTERVAL = Duration.ofSeconds(5);
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final InboxSettings settings;
    private final Map<String, PartitionQueue[]> queues = new HashMap<>();
    private final DeadLetterService deadLetters;

    private Inbox(ActorSystem<?> system, InboxSettings settings, java.util.Collection<String> integrations) {
        this.settings = settings;
        this.deadLetters = new DeadLetterService(system, List.copyOf(integrations), settings.partitions());
    }

    /** Starts sharding of the partitions and a queue per partition for each integration in {@code deliveries}. */
    public static Inbox init(ActorSystem<?> system, InboxSettings settings, Map<String, DeliveryHandler> deliveries) {
        Inbox inbox = new Inbox(system, settings, deliveries.keySet());
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(InboxPartition.TYPE_KEY, ctx -> {
            String integration = ctx.getEntityId().substring(0, ctx.getEntityId().lastIndexOf('#'));
            return InboxPartition.create(ctx.getEntityId(), settings, deliveries.get(integration));
        }).withStopMessage(new InboxPartition.HandOff())); // a moving partition first lets its deliveries finish
        for (String integration : deliveries.keySet()) {
            PartitionQueue[] partitions = new PartitionQueue[settings.partitions()];
            for (int p = 0; p < partitions.length; p++) {
                partitions[p] = new PartitionQueue(system,
                        sharding.entityRefFor(InboxPartition.TYPE_KEY, InboxPartition.entityId(integration, p)),
                        settings.queueSize(), settings.maxBatch(), settings.acceptTimeout());
            }
            inbox.queues.put(integration, partitions);
        }
        system.scheduler().scheduleAtFixedRate(Duration.ZERO, WAKE_INTERVAL, () -> inbox.wakeAll(sharding), system.executionContext());
        return inbox;
    }

    private void wakeAll(ClusterSharding sharding) {
        for (String integration : queues.keySet()) {
            for (int p = 0; p < settings.partitions(); p++) {
                sharding.entityRefFor(InboxPartition.TYPE_KEY, InboxPartition.entityId(integration, p)).tell(new InboxPartition.Wake());
            }
        }
    }

    /** The dead letters of every integration, cluster-wide. */
    public DeadLetterService deadLetters() {
        return deadLetters;
    }

    /** The entry point of one integration's source. */
    public Ingestor ingestorFor(String integration) {
        PartitionQueue[] partitions = queues.get(integration);
        if (partitions == null) {
            throw new IllegalArgumentException("no inbox for integration " + integration);
        }
        return message -> ingest(integration, partitions, message);
    }

    private CompletionStage<IngestResult> ingest(String integration, PartitionQueue[] partitions, InboundMessage message) {
        int partition = partitionOf(message.idempotencyKey(), partitions.length);
        Envelope envelope = new Envelope(MessageIds.next(), integration, partition, message.idempotencyKey(),
                System.currentTimeMillis(), message.contentType(), message.raw(), digest(message.raw()), message.headers());
        return partitions[partition].offer(envelope);
    }

    /** The partition of a key: stable across nodes and restarts ({@link String#hashCode()} is specified). */
    static int partitionOf(String idempotencyKey, int partitions) {
        return Math.floorMod(idempotencyKey.hashCode(), partitions);
    }

    static long digest(byte[] raw) {
        MessageDigest sha = SHA256.get();
        byte[] hash = sha.digest(raw);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (hash[i] & 0xFF);
        }
        return value;
    }

}
