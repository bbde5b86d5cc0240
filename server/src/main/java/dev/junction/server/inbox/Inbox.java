package dev.junction.server.inbox;

import dev.junction.connectors.api.InboundMessage;
import dev.junction.connectors.api.IngestResult;
import dev.junction.connectors.api.Ingestor;
import dev.junction.connectors.api.KeyRule;
import dev.junction.connectors.api.UnusableMessage;
import dev.junction.server.config.InboxSettings;
import dev.junction.server.observability.Metrics;
import dev.junction.server.observability.Tracing;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final Duration EXPIRE_INTERVAL = Duration.ofMinutes(10);
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final ActorSystem<?> system;
    private final InboxSettings settings;
    private final Integrations integrations;
    private final ClusterSharding sharding;
    private final Map<String, PartitionQueue[]> queues = new ConcurrentHashMap<>();
    private final Partitions partitions;
    private final DeadLetterService deadLetters;
    private final Messages messages;
    private final DeadLetterRecords records;
    private final BulkOperations operations;

    private Inbox(ActorSystem<?> system, InboxSettings settings, Integrations integrations, DurableKeys durableKeys) {
        this.system = system;
        this.settings = settings;
        this.integrations = integrations;
        this.sharding = ClusterSharding.get(system);
        this.partitions = new Partitions(system, integrations::names, settings.partitions());
        JournalEvents journal = new JournalEvents(system);
        this.records = new DeadLetterRecords(journal);
        this.deadLetters = new DeadLetterService(partitions, records);
        this.operations = new BulkOperations(deadLetters);
        this.messages = new Messages(system, partitions, durableKeys);
    }

    /**
     * Starts sharding of the partitions of every integration in {@code integrations}, also those a reload adds later: a partition
     * delivers through its integration's revisions there, and keeps its keys in {@code durableKeys} beside memory.
     */
    public static Inbox init(ActorSystem<?> system, InboxSettings settings, Integrations integrations, DurableKeys durableKeys,
                             JournalRetention retention) {
        Inbox inbox = new Inbox(system, settings, integrations, durableKeys);
        inbox.sharding.init(Entity.of(InboxPartition.TYPE_KEY, ctx -> {
            String integration = ctx.getEntityId().substring(0, ctx.getEntityId().lastIndexOf('#'));
            return InboxPartition.create(ctx.getEntityId(), settings, integrations.handler(integration), durableKeys, inbox.records,
                    retention);
        }).withStopMessage(new InboxPartition.HandOff())); // a moving partition first lets its deliveries finish
        system.scheduler().scheduleAtFixedRate(Duration.ZERO, WAKE_INTERVAL, inbox::wakeAll, system.executionContext());
        // Every node deletes expired keys (the same rows: whichever gets there first), a few times an hour.
        Duration keep = settings.dedupWindow().compareTo(settings.retention()) > 0 ? settings.dedupWindow() : settings.retention();
        system.scheduler().scheduleAtFixedRate(EXPIRE_INTERVAL, EXPIRE_INTERVAL,
                () -> durableKeys.expire(System.currentTimeMillis() - keep.toMillis()), system.executionContext());
        return inbox;
    }

    private PartitionQueue[] queuesOf(String integration) {
        return queues.computeIfAbsent(integration, name -> {
            PartitionQueue[] created = new PartitionQueue[settings.partitions()];
            for (int p = 0; p < created.length; p++) {
                created[p] = new PartitionQueue(system, sharding.entityRefFor(InboxPartition.TYPE_KEY, InboxPartition.entityId(name, p)),
                        settings.queueSize(), settings.maxBatch(), settings.acceptTimeout());
            }
            return created;
        });
    }

    private void wakeAll() {
        for (String integration : integrations.names()) {
            for (int p = 0; p < settings.partitions(); p++) {
                sharding.entityRefFor(InboxPartition.TYPE_KEY, InboxPartition.entityId(integration, p)).tell(new InboxPartition.Wake());
            }
        }
    }

    /** The dead letters of every integration, cluster-wide. */
    public DeadLetterService deadLetters() {
        return deadLetters;
    }

    /** Bulk replays and discards run as operations on this node. */
    public BulkOperations operations() {
        return operations;
    }

    /** Each message's lineage, and reprocessing, cluster-wide. */
    public Messages messages() {
        return messages;
    }

    /** How many of {@code integration}'s envelopes wait to be delivered, over all its partitions, cluster-wide. */
    public CompletionStage<Integer> pending(String integration) {
        return partitions.<InboxPartition.PendingCount>askAll(java.util.Optional.of(integration), InboxPartition.CountPending::new)
                .thenApply(counts -> counts.stream().mapToInt(InboxPartition.PendingCount::pending).sum());
    }

    /** The entry point of one integration's source: each message is accepted under the integration's current revision. */
    public Ingestor ingestorFor(String integration) {
        if (integrations.handler(integration) == null) {
            throw new IllegalArgumentException("no inbox for integration " + integration);
        }
        PartitionQueue[] partitions = queuesOf(integration);
        return new Ingestor() {
            @Override
            public CompletionStage<IngestResult> ingest(InboundMessage message) {
                long start = System.nanoTime();
                Integrations.Revision revision = integrations.accepting(integration);
                String partitionKey = null;
                if (revision.partitionKeys() != null) {
                    KeyRule.Found found = revision.partitionKeys().find(message);
                    if (!found.isKey()) { // kept as a dead letter, like a message without an idempotency key
                        return reject(new UnusableMessage("invalid-partition-key", found.problem(), message.contentType(),
                                message.raw(), message.headers()));
                    }
                    partitionKey = found.key();
                }
                Tracing.Step span = Tracing.receive(integration, message.headers());
                return offer(partitions, received(integration, revision, message.idempotencyKey(), message.contentType(),
                        message.raw(), span.headers()).partitionKey(partitionKey), message.idempotencyKey(), partitionKey,
                        message.raw())
                        .whenComplete((result, failure) -> {
                            counted(integration, start, result);
                            span.finish(failure != null ? failure.getClass().getSimpleName() : result.isDurable() ? null
                                    : result.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
                        });
            }

            @Override
            public CompletionStage<IngestResult> reject(UnusableMessage message) {
                // Keyed by its bytes: the same unusable message delivered again (a broker redelivery) is one dead letter.
                String key = "unusable:" + message.errorClass() + ":" + java.util.HexFormat.of().formatHex(sha256(message.raw()), 0, 16);
                long start = System.nanoTime();
                Tracing.Step span = Tracing.receive(integration, message.headers());
                span.finish(message.errorClass()); // not the reason: it may quote the body
                return offer(partitions, received(integration, integrations.accepting(integration), key, message.contentType(),
                        message.raw(), span.headers())
                        .unusable(new Envelope.Unusable(message.errorClass(), message.reason())), key, null, message.raw())
                        .whenComplete((result, failure) -> counted(integration, start, result));
            }
        };
    }

    /**
     * Counts how the inbox answered one message a source handed in. Accepted (and invalid) messages are counted by their
     * partition when the journal commits them: one committed after its source heard "try again" is still counted once.
     */
    private static void counted(String integration, long start, IngestResult result) {
        if (result instanceof IngestResult.Duplicate) {
            Metrics.received(integration, Metrics.Received.DUPLICATE);
        } else if (result instanceof IngestResult.Conflict) {
            Metrics.received(integration, Metrics.Received.CONFLICT);
        } else if (!(result instanceof IngestResult.Accepted)) {
            Metrics.received(integration, Metrics.Received.REFUSED);
        }
        Metrics.ingest(integration, System.nanoTime() - start);
    }

    private Envelope.Builder received(String integration, Integrations.Revision revision, String key, String contentType, byte[] raw,
                                      Map<String, String> headers) {
        // headers carry the message's trace: the sender's (a webhook's traceparent), else one started here (Tracing.receive).
        return Envelope.builder().messageId(MessageIds.next()).integration(integration).idempotencyKey(key)
                .receivedAt(System.currentTimeMillis()).contentType(contentType).raw(raw).headers(headers)
                .revision(revision.id()).mappings(revision.mappings());
    }

    /**
     * Accepts a message made by Junction itself (an element of a split, a reprocessed copy) into the partition of its key,
     * deduplicated like any other: its key and body are set, its partition and digest are filled in here.
     */
    public CompletionStage<IngestResult> resubmit(Envelope made) {
        return offer(queuesOf(made.integration()), made.toBuilder(), made.idempotencyKey(), made.partitionKey(), made.raw());
    }

    /**
     * Fills in the partition and the digest of {@code raw}, and queues the envelope for its partition. The partition is that of
     * its partition key when it has one (every message of a key meets in one partition, which delivers them in order), else
     * that of its idempotency key {@code key} (its duplicates meet it there).
     */
    private static CompletionStage<IngestResult> offer(PartitionQueue[] partitions, Envelope.Builder envelope, String key,
                                                      String partitionKey, byte[] raw) {
        int partition = partitionOf(partitionKey != null ? partitionKey : key, partitions.length);
        return partitions[partition].offer(envelope.partition(partition).bodyHash(digest(raw)).build());
    }

    /** The partition of a key: stable across nodes and restarts ({@link String#hashCode()} is specified). */
    static int partitionOf(String key, int partitions) {
        return Math.floorMod(key.hashCode(), partitions);
    }

    static long digest(byte[] raw) {
        byte[] hash = sha256(raw);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (hash[i] & 0xFF);
        }
        return value;
    }

    private static byte[] sha256(byte[] raw) {
        return SHA256.get().digest(raw);
    }
}
