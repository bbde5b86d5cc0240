package dev.junction.server.inbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Messages as the journal tells them, cluster-wide: the lineage of one message (its raw original, what each step made of it,
 * every attempt, every operator action) and reprocessing of the originals of a time range. The partition that owns a message
 * says where its story starts in the journal; the journal is then read outside the partition, so a lookup never holds up
 * deliveries. Thread-safe.
 */
public final class Messages {
    private static final int REPROCESS_CHUNK = 100;

    /**
     * One message's story.
     *
     * @param pending     still being delivered (or waiting to be)
     * @param deliveries  each delivery's settlement, oldest first (a replay adds one)
     * @param operations  operators' replays, discards and reprocessings of it
     */
    public record Lineage(Envelope envelope, boolean pending, List<Settlement> deliveries, List<DeadLetters.Operation> operations) {}

    /** What a reprocessing did: its id and the copies made, each a message of its own. */
    public record Reprocessed(String operationId, int originals, List<String> copies) {

        Reprocessed plus(Reprocessed more) {
            List<String> all = new ArrayList<>(copies);
            all.addAll(more.copies());
            return new Reprocessed(operationId, originals + more.originals(), all);
        }
    }

    private final ActorSystem<?> system;
    private final Partitions partitions;
    private final DurableKeys durableKeys;
    private volatile JdbcReadJournal journal;

    Messages(ActorSystem<?> system, Partitions partitions, DurableKeys durableKeys) {
        this.system = system;
        this.partitions = partitions;
        this.durableKeys = durableKeys;
    }

    private JdbcReadJournal journal() {
        if (journal == null) {
            journal = PersistenceQuery.get(system.classicSystem()).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
        }
        return journal;
    }

    /**
     * Records in {@code envelope}'s partition that {@code by} was shown it unmasked, and why: the audit and its lineage list it.
     * Completes once the record is in the journal.
     */
    public CompletionStage<org.apache.pekko.Done> revealed(Envelope envelope, String by, String reason) {
        return partitions.ask(envelope.integration(), envelope.partition(), replyTo -> new InboxPartition.Reveal(envelope.messageId(),
                envelope.idempotencyKey(), by, reason, replyTo));
    }

    /**
     * The lineage of the message with this id, in any integration: its partition from the durable key index, or (accepted a
     * moment ago, not stored there yet) from whichever partition answers.
     */
    public CompletionStage<Optional<Lineage>> byId(String messageId) {
        return durableKeys.byMessageId(messageId).thenCompose(stored -> stored.isPresent()
                        ? locate(stored.get().persistenceId(), stored.get().entry())
                        : partitions.<InboxPartition.Location>askAll(Optional.empty(), replyTo -> new InboxPartition.Locate(messageId, null, replyTo))
                                .thenApply(found -> found.stream().filter(l -> l.sequenceNr() >= 0).findFirst()))
                .thenCompose(this::read);
    }

    /** The lineage of the message {@code integration} accepted with this idempotency key (the latest, if it came again). */
    public CompletionStage<Optional<Lineage>> byKey(String integration, String idempotencyKey) {
        int partition = Inbox.partitionOf(idempotencyKey, partitions.count());
        String persistenceId = InboxPartition.persistenceId(integration, partition);
        return partitions.<InboxPartition.Location>ask(integration, partition, replyTo -> new InboxPartition.Locate(null, idempotencyKey, replyTo))
                .thenCompose(found -> found.sequenceNr() >= 0 ? CompletableFuture.completedFuture(Optional.of(found))
                        : durableKeys.find(persistenceId, List.of(idempotencyKey)).thenCompose(stored -> stored.containsKey(idempotencyKey)
                                ? locate(persistenceId, stored.get(idempotencyKey))
                                : elsewhere(integration, idempotencyKey)))
                .thenCompose(this::read);
    }

    /**
     * A message of an integration with per-key ordering lives in the partition of its partition key, not of its idempotency
     * key: asked of every partition's memory.
     */
    private CompletionStage<Optional<InboxPartition.Location>> elsewhere(String integration, String idempotencyKey) {
        return partitions.<InboxPartition.Location>askAll(Optional.of(integration), replyTo -> new InboxPartition.Locate(null, idempotencyKey, replyTo))
                .thenApply(found -> found.stream().filter(l -> l.sequenceNr() >= 0).findFirst());
    }

    /** A stored message: its story starts at the stored sequence number; its partition says whether it is pending. */
    private CompletionStage<Optional<InboxPartition.Location>> locate(String persistenceId, KeyIndex.Entry entry) {
        String entityId = persistenceId.substring(persistenceId.indexOf('|') + 1);
        int hash = entityId.lastIndexOf('#');
        return partitions.<InboxPartition.Location>ask(entityId.substring(0, hash), Integer.parseInt(entityId.substring(hash + 1)),
                        replyTo -> new InboxPartition.Locate(entry.messageId(), null, replyTo))
                .thenApply(at -> Optional.of(new InboxPartition.Location(persistenceId, entry.messageId(),
                        at.sequenceNr() >= 0 ? at.sequenceNr() : entry.sequenceNr(), at.pending())));
    }

    private CompletionStage<Optional<Lineage>> read(Optional<InboxPartition.Location> location) {
        if (location.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        InboxPartition.Location at = location.get();
        String id = at.messageId();
        return journal().currentEventsByPersistenceId(at.persistenceId(), Math.max(1, at.sequenceNr()), Long.MAX_VALUE)
                .map(EventEnvelope::event)
                .runWith(Sink.fold(new Story(id), Story::add), system)
                .thenApply(story -> Optional.ofNullable(story.envelope)
                        .map(e -> new Lineage(e, at.pending(), List.copyOf(story.deliveries), List.copyOf(story.operations))));
    }

    /** Collects the events of one message; mutable, used by one stream. */
    private static final class Story {
        final String id;
        Envelope envelope;
        final List<Settlement> deliveries = new ArrayList<>();
        final List<DeadLetters.Operation> operations = new ArrayList<>();

        Story(String id) {
            this.id = id;
        }

        private String key() {
            return envelope == null ? "" : envelope.idempotencyKey();
        }

        Story add(Object event) {
            if (event instanceof InboxPartition.Accepted a && a.envelope().messageId().equals(id)) {
                envelope = a.envelope();
            } else if (event instanceof InboxPartition.Reprocessed r) {
                for (Envelope copy : r.copies()) {
                    if (copy.messageId().equals(id)) {
                        envelope = copy;
                    } else if (copy.parentId().equals(id)) {
                        operations.add(r.operation(copy));
                    }
                }
            } else if (event instanceof InboxPartition.Settled s) {
                s.settlements().stream().filter(x -> x.messageId().equals(id)).forEach(deliveries::add);
            } else if (event instanceof InboxPartition.Replayed r) {
                r.selected().stream().filter(x -> x.messageId().equals(id)).forEach(x -> operations.add(r.operation(x, key())));
            } else if (event instanceof InboxPartition.Revealed r && r.messageId().equals(id)) {
                operations.add(r.operation());
            } else if (event instanceof InboxPartition.Discarded d) {
                d.selected().stream().filter(x -> x.messageId().equals(id)).forEach(x -> operations.add(d.operation(x, key())));
            } else if (event instanceof InboxPartition.Carried c) {
                // its older events were removed by retention: what was carried forward stands for them
                c.pending().stream().filter(p -> p.envelope().messageId().equals(id)).forEach(p -> envelope = envelope == null ? p.envelope() : envelope);
                c.letters().stream().filter(r -> r.envelope().messageId().equals(id)).forEach(r -> {
                    envelope = envelope == null ? r.envelope() : envelope;
                    if (deliveries.isEmpty()) {
                        deliveries.add(new Settlement(id, r.targets(), r.deadLetteredAt(), r.transformed(), r.mappingVersions(),
                                List.of(), "", List.of(), List.of()));
                        operations.addAll(r.operations());
                    }
                });
            }
            return this;
        }
    }

    /**
     * Sends copies of the originals {@code integration} received in [{@code from}, {@code to}) through {@code revision} to
     * {@code target}, recorded as operation {@code operationId} with who and why. Elements of a split and earlier copies are
     * not originals: their original is re-run whole. Each partition's journal is read in full, in chunks; the copies are made
     * by the partitions, durably, before this completes.
     */
    public CompletionStage<Reprocessed> reprocess(String integration, String operationId, long from, long to, String target,
                                                  String revision, String by, String reason) {
        List<Integer> all = new ArrayList<>();
        for (int p = 0; p < partitions.count(); p++) {
            all.add(p);
        }
        return Source.from(all)
                .mapAsync(2, p -> reprocessPartition(integration, p, operationId, from, to, target, revision, by, reason))
                .runWith(Sink.fold(new Reprocessed(operationId, 0, List.of()), Reprocessed::plus), system);
    }

    private CompletionStage<Reprocessed> reprocessPartition(String integration, int partition, String operationId, long from, long to,
                                                           String target, String revision, String by, String reason) {
        String persistenceId = org.apache.pekko.persistence.typed.PersistenceId.of(InboxPartition.TYPE_KEY.name(),
                InboxPartition.entityId(integration, partition)).id();
        return journal().currentEventsByPersistenceId(persistenceId, 1, Long.MAX_VALUE)
                .map(EventEnvelope::event)
                .filter(e -> e instanceof InboxPartition.Accepted a && original(a.envelope())
                        && a.envelope().receivedAt() >= from && a.envelope().receivedAt() < to)
                .map(e -> ((InboxPartition.Accepted) e).envelope())
                .grouped(REPROCESS_CHUNK)
                .mapAsync(1, chunk -> partitions.<InboxPartition.Reprocessing>ask(integration, partition, replyTo ->
                                new InboxPartition.Reprocess(operationId, List.copyOf(chunk), target, revision, by, reason, replyTo))
                        .thenApply(done -> new Reprocessed(operationId, chunk.size(), done.copies())))
                .runWith(Sink.fold(new Reprocessed(operationId, 0, List.of()), Reprocessed::plus), system);
    }

    /**
     * Whether {@code envelope} came in from outside the integration: not a split's element nor a reprocessed copy (both have a
     * parent in the same integration), but a channel's copy is (its parent is the publisher's message).
     */
    private static boolean original(Envelope envelope) {
        return envelope.parentId().isEmpty() || envelope.headers().containsKey(Envelope.CHANNEL_HEADER)
                && envelope.firstStep() == 0 && !envelope.idempotencyKey().contains(":reprocess:");
    }
}
