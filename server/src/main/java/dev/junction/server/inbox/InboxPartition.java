package dev.junction.server.inbox;

import dev.junction.server.serialization.CborSerializable;
import dev.junction.server.config.InboxSettings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.persistence.typed.PersistenceId;
import dev.junction.server.observability.Metrics;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One partition of an integration's inbox: a sharded, event-sourced entity. It deduplicates and persists accepted envelopes in
 * batches, hands them to its delivery stream in memory, and persists how each one settled. After a restart it recovers the
 * envelopes not yet settled from snapshot and journal and delivers them again, with the same idempotency key.
 *
 * <p>Entity id: {@code <integration>#<partition>}.
 */
public final class InboxPartition extends EventSourcedBehavior<InboxPartition.Command, InboxPartition.Event, InboxPartition.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "inbox");

    // ---- commands
    public sealed interface Command extends CborSerializable {}

    /** Persist these envelopes unless their keys are known; answer one {@link AcceptReply} with an outcome per envelope. */
    public record AcceptBatch(List<Envelope> envelopes, ActorRef<AcceptReply> replyTo) implements Command {}

    /**
     * Sent by the delivery stream: these envelopes are done, and those {@code withdrawn} (a hand-off) made no attempt and are
     * pending still; the reply comes once that is persisted.
     */
    record Settle(List<Settlement> settlements, List<String> withdrawn, ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

    /** Starts the entity if it is not running (after a restart or a rebalance) so its pending envelopes are delivered. */
    public record Wake() implements Command {}

    /**
     * Sharding moves this partition to another node (its node leaves the cluster): dispatch nothing new, let the deliveries
     * under way finish and settle, then stop, so the next owner does not deliver them again.
     */
    public record HandOff() implements Command {}

    /** The deliveries under way did not finish within {@link #HAND_OFF_TIMEOUT}: stop anyway (the next owner redelivers them). */
    record HandOffTimedOut() implements Command {}

    /** Delivery stream {@code generation} stopped unexpectedly: start it again and hand it every pending envelope. */
    record DeliveryStreamFailed(long generation, String reason) implements Command {}

    /** The dead letters of this partition that {@code query} matches, newest first. */
    public record ListDeadLetters(DeadLetters.Query query, ActorRef<DeadLetters.Page> replyTo) implements Command {}

    /** One dead letter as memory keeps it, and where (its record is then read from the journal). */
    public record GetDeadLetter(String messageId, ActorRef<DeadLetters.Found> replyTo) implements Command {}

    /**
     * Deliver the matching dead-lettered targets again, with the same idempotency key; recorded with who and why.
     * {@code mappings} is {@link MappingChoice#ORIGINAL} or {@link MappingChoice#CURRENT}.
     */
    public record ReplayDeadLetters(DeadLetters.Query query, String by, String reason, MappingChoice mappings,
                                    ActorRef<DeadLetters.Applied> replyTo) implements Command {}

    /** Where the lineage of a message starts in this partition's journal: by message id, or by idempotency key. */
    public record Locate(String messageId, String idempotencyKey, ActorRef<Location> replyTo) implements Command {}

    /**
     * The answer to {@link Locate}.
     *
     * @param sequenceNr the sequence number of its {@code Accepted} event; -1 when this partition does not remember it
     * @param pending    it is being delivered (or waits to be)
     */
    public record Location(String persistenceId, String messageId, long sequenceNr, boolean pending) implements CborSerializable {}

    /**
     * Deliver copies of {@code originals} (envelopes of this partition) through the integration's current revision to
     * {@code target}. Each copy is a message of its own, with a key derived from the original's and the operation.
     */
    public record Reprocess(String operationId, List<Envelope> originals, String target, String revision, String by, String reason,
                            ActorRef<Reprocessing> replyTo) implements Command {}

    /** The copies made by a {@link Reprocess}. */
    public record Reprocessing(List<String> copies) implements CborSerializable {}

    /** Give up on the matching dead-lettered targets; recorded with who and why. */
    public record DiscardDeadLetters(DeadLetters.Query query, String by, String reason, ActorRef<DeadLetters.Applied> replyTo)
            implements Command {}

    /** How many envelopes wait here to be delivered: a channel subscriber's lag. */
    public record CountPending(ActorRef<PendingCount> replyTo) implements Command {}

    public record PendingCount(int pending) implements CborSerializable {}

    /** The operators' replays and discards this partition remembers, oldest first. */
    public record GetAudit(ActorRef<Audit> replyTo) implements Command {}

    /** An admin was shown a masked message unmasked: recorded, with who and why, before it is shown. */
    public record Reveal(String messageId, String idempotencyKey, String by, String reason,
                         ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

    public record Audit(List<DeadLetters.Operation> operations) implements CborSerializable {}

    /** The outcome of each envelope of an {@link AcceptBatch}, in the same order. */
    public record AcceptReply(List<Outcome> outcomes) implements CborSerializable {}

    /** {@code messageId} is the new id of an accepted envelope, else the id of the original with the same key. */
    public record Outcome(Admission status, String messageId) implements CborSerializable {}

    /** How an envelope of an {@link AcceptBatch} was answered; REFUSED: its key could not be checked now (try again). */
    public enum Admission { ACCEPTED, DUPLICATE, CONFLICT, REFUSED }

    /** The keys of {@code batch} that memory did not know, looked up in {@link DurableKeys}; {@code failure} when it failed. */
    private record LookedUp(AcceptBatch batch, java.util.Map<String, KeyIndex.Entry> found, Throwable failure) implements Command {}

    /** Storing {@code entries} in {@link DurableKeys} ended; {@code failed}: it did not, they are stored again later. */
    private record KeysStored(List<KeyIndex.Entry> entries, boolean failed) implements Command {}

    /**
     * The keys the durable index held for this partition's window, loaded after recovery ({@code failure} when not), by the
     * partition's {@code life}: a load begun before a restart is not used after it.
     */
    private record DroppedKeysLoaded(StoredKeyFilter filter, Throwable failure, long life) implements Command {}

    /** Time to try loading the dropped keys again. */
    private record LoadDroppedKeys(long life) implements Command {}

    /** Time to remove what retention lets go. */
    private record RetentionDue() implements Command {}

    /** How far retention may remove this partition's journal now; {@code failure} when it could not be found out. */
    private record HorizonFound(long horizon, Throwable failure) implements Command {}

    /** The records of dead letters to carry past {@code horizon}, read from the journal. */
    private record CarryRead(long horizon, List<DeadLetters.Letter> letters, java.util.Map<String, DeadLetters.DeadLetter> records,
                             Throwable failure) implements Command {}

    /** The events up to {@code horizon} are removed (or could not be). */
    private record Trimmed(long horizon, int deleted, Throwable failure) implements Command {}

    /** The records of the dead letters a replay selected, read from the journal; {@code failure} when the read failed. */
    private record ReplayRead(ReplayDeadLetters replay, List<DeadLetters.Selected> selected,
                              java.util.Map<String, DeadLetters.DeadLetter> records, Throwable failure) implements Command {}

    // ---- events
    public sealed interface Event extends CborSerializable {}

    /** An envelope was accepted. */
    public record Accepted(Envelope envelope) implements Event {}

    /** Envelopes were settled. */
    public record Settled(List<Settlement> settlements) implements Event {}

    /**
     * An operator replayed dead letters; {@code mappings} says which mapping versions (null in events before it was recorded);
     * {@code deliveries} what is delivered again, read from the journal when the replay was asked for (null in events written
     * while dead letters were kept whole in memory).
     */
    public record Replayed(List<DeadLetters.Selected> selected, String by, String reason, long at, MappingChoice mappings,
                           List<PendingDelivery> deliveries) implements Event {

        /** Events written before the choice was recorded delivered with the versions they were accepted under. */
        public Replayed {
            mappings = mappings == null ? MappingChoice.AS_ACCEPTED : mappings;
        }

        /** The audit's record of this replay of {@code s}, an envelope with {@code key}. */
        DeadLetters.Operation operation(DeadLetters.Selected s, String key) {
            return new DeadLetters.Operation("replayed", s.messageId(), key, s.targets(), by, reason, at,
                    mappings == MappingChoice.AS_ACCEPTED ? "" : "mappings: " + mappings.wire());
        }
    }

    /** An operator reprocessed these messages: {@code copies} are delivered through {@code revision} to {@code target}. */
    public record Reprocessed(String operationId, List<Envelope> copies, String target, String revision, String by, String reason,
                              long at) implements Event {

        /** The audit's record of {@code copy}, one of the copies, under its original's id. */
        DeadLetters.Operation operation(Envelope copy) {
            return new DeadLetters.Operation("reprocessed", copy.parentId(), copy.idempotencyKey(), List.of(target), by, reason, at,
                    "operation " + operationId + ": copy " + copy.messageId() + " through revision " + revision);
        }
    }

    /**
     * Live messages whose older events retention deletes, written again here first: dead letters with their records, and
     * pending envelopes. Their position in the journal is this event from now on.
     */
    public record Carried(List<DeadLetters.DeadLetter> letters, List<PendingDelivery> pending) implements Event {}

    /** An admin was shown message {@code messageId} unmasked ({@link Reveal}). */
    public record Revealed(String messageId, String idempotencyKey, String by, String reason, long at) implements Event {

        /** The audit's record of this reveal. */
        DeadLetters.Operation operation() {
            return new DeadLetters.Operation("revealed", messageId, idempotencyKey, List.of(), by, reason, at, "");
        }
    }

    /** An operator discarded dead letters. */
    public record Discarded(List<DeadLetters.Selected> selected, String by, String reason, long at) implements Event {

        /** The audit's record of this discard of {@code s}, an envelope with {@code key}. */
        DeadLetters.Operation operation(DeadLetters.Selected s, String key) {
            return new DeadLetters.Operation("discarded", s.messageId(), key, s.targets(), by, reason, at, "");
        }
    }

    // ---- state: mutated only by the event handler; snapshots take a copy (see snapshotAdapter)
    public static final class State {
        KeyIndex keys;
        LinkedHashMap<String, PendingDelivery> pending;
        DeadLetters deadLetters;
        /** Partition keys held back behind a dead letter, with their followers (per-key ordering). */
        ParkedKeys parked;
        /**
         * While recovering only: dead letters in full, for {@link Replayed} events written before replays carried what they
         * deliver. Emptied when recovery completes.
         */
        java.util.Map<String, DeadLetters.DeadLetter> legacy;

        State(InboxSettings settings) {
            empty(settings);
        }

        /** Forgets everything: the state of a partition that has not recovered anything yet. */
        void empty(InboxSettings settings) {
            keys = new KeyIndex(settings.dedupWindow(), settings.dedupMaxKeys(), settings.dedupFilterKeys());
            pending = new LinkedHashMap<>();
            deadLetters = new DeadLetters();
            parked = new ParkedKeys();
            legacy = new java.util.HashMap<>();
        }
    }

    /**
     * The persisted form of {@link State}. Snapshots written before have {@code keys} instead of {@code keyIndex} and whole
     * {@code deadLetters} instead of {@code letters}; both are read. {@code parked} is null in snapshots written before
     * per-key ordering.
     */
    public record Snapshot(List<KeyIndex.Entry> keys, List<PendingDelivery> pending, List<DeadLetters.DeadLetter> deadLetters,
                           List<DeadLetters.Operation> audit, KeyIndex.Saved keyIndex, List<DeadLetters.Letter> letters,
                           List<ParkedKeys.Parked> parked)
            implements CborSerializable {}

    /** Below sharding's own forced stop (handoff-timeout, 60 s) and the region's shutdown phase (25 s, junction-pekko.conf). */
    static final Duration HAND_OFF_TIMEOUT = Duration.ofSeconds(20);

    private final ActorContext<Command> context;
    private final String integration;
    private final InboxSettings settings;
    private final DeliveryHandler delivery;
    // Transient dispatch bookkeeping, rebuilt after every (re)start.
    private final ArrayDeque<String> undispatched = new ArrayDeque<>();
    private final Set<String> inFlight = new HashSet<>();
    /** Per-key order: one message of a partition key with the stream at a time. */
    private final KeyGate gate = new KeyGate();
    private DeliveryStream stream;
    private long streamGeneration;
    private boolean handingOff;
    // Reused by restarted streams. A restart after a journal failure happens inside the persistence behavior: this object
    // stays, but the partition's children stop, the materializer with them, so it is made again when found shut down.
    private Materializer materializer;
    private final DurableKeys durableKeys;
    private final DeadLetterRecords records;
    private boolean storingKeys;
    /** Counts the partition's restarts inside its persistence behavior (see {@link DroppedKeysLoaded}). */
    private long life;
    /** Dead letters whose replay is reading their records: not selected again until it is persisted. */
    private final Set<String> replaying = new HashSet<>();
    /** True until recovery completes: the event handler then keeps dead letters whole for old replay events. */
    private boolean recovering = true;
    private final JournalRetention retention;
    private boolean retaining;
    /** Dead letters or pending envelopes carried forward in one event. */
    private static final int CARRY_CHUNK = 1000;

    private InboxPartition(ActorContext<Command> context, String entityId, InboxSettings settings, DeliveryHandler delivery,
                           DurableKeys durableKeys, DeadLetterRecords records, JournalRetention retention) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)
                        .withLogLevel(org.slf4j.event.Level.WARN));
        this.context = context;
        this.integration = entityId.substring(0, entityId.lastIndexOf('#'));
        this.settings = settings;
        this.delivery = delivery;
        this.durableKeys = durableKeys;
        this.records = records;
        this.retention = retention;
    }

    /** The behavior of one partition; {@code delivery} is null when this node does not know the integration (it then only keeps its state). */
    static Behavior<Command> create(String entityId, InboxSettings settings, DeliveryHandler delivery, DurableKeys durableKeys,
                                    DeadLetterRecords records, JournalRetention retention) {
        return Behaviors.setup(context -> new InboxPartition(context, entityId, settings, delivery, durableKeys, records, retention));
    }

    public static String entityId(String integration, int partition) {
        return integration + "#" + partition;
    }

    /** The persistence id of a partition, as the journal and the durable key index know it. */
    static String persistenceId(String integration, int partition) {
        return PersistenceId.of(TYPE_KEY.name(), entityId(integration, partition)).id();
    }

    @Override
    public State emptyState() {
        return new State(settings);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        // Snapshots bound recovery time; events are never deleted (a gap would stop recovery, pekko-persistence-jdbc #516).
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(AcceptBatch.class, this::onAcceptBatch)
                .onCommand(LookedUp.class, this::onLookedUp)
                .onCommand(KeysStored.class, this::onKeysStored)
                .onCommand(DroppedKeysLoaded.class, this::onDroppedKeysLoaded)
                .onCommand(LoadDroppedKeys.class, (state, cmd) -> {
                    if (cmd.life() == life) {
                        loadDroppedKeys(state);
                    }
                    return Effect().none();
                })
                .onCommand(Settle.class, this::onSettle)
                .onCommand(Wake.class, (state, cmd) -> {
                    storeKeys(state); // keys whose write failed (the database was away) are written again
                    return Effect().none();
                })
                .onCommand(DeliveryStreamFailed.class, this::onDeliveryStreamFailed)
                .onCommand(HandOff.class, this::onHandOff)
                .onCommand(HandOffTimedOut.class, (state, cmd) -> {
                    context.getLog().warn("{} hands off with {} deliveries under way; its next owner delivers them again",
                            persistenceId().id(), inFlight.size());
                    return Effect().stop();
                })
                .onCommand(ListDeadLetters.class, (state, cmd) -> Effect().reply(cmd.replyTo(),
                        state.deadLetters.list(cmd.query(), integration, state.parked)))
                .onCommand(GetDeadLetter.class, (state, cmd) -> Effect().reply(cmd.replyTo(),
                        new DeadLetters.Found(state.deadLetters.letters.get(cmd.messageId()), persistenceId().id())))
                .onCommand(GetAudit.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Audit(List.copyOf(state.deadLetters.audit))))
                .onCommand(CountPending.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new PendingCount(state.pending.size())))
                .onCommand(ReplayDeadLetters.class, this::onReplay)
                .onCommand(ReplayRead.class, this::onReplayRead)
                .onCommand(RetentionDue.class, (state, cmd) -> onRetentionDue())
                .onCommand(HorizonFound.class, this::onHorizonFound)
                .onCommand(CarryRead.class, this::onCarryRead)
                .onCommand(Trimmed.class, (state, cmd) -> onTrimmed(cmd))
                .onCommand(Locate.class, this::onLocate)
                .onCommand(Reprocess.class, this::onReprocess)
                .onCommand(Reveal.class, (state, cmd) -> Effect().persist(new Revealed(cmd.messageId(), cmd.idempotencyKey(), cmd.by(),
                        cmd.reason(), System.currentTimeMillis())).thenReply(cmd.replyTo(), s -> org.apache.pekko.Done.getInstance()))
                .onCommand(DiscardDeadLetters.class, this::onDiscard)
                .build();
    }

    private Effect<Event, State> onAcceptBatch(State state, AcceptBatch cmd) {
        java.util.Set<String> lookUp = Dedup.toLookUp(cmd.envelopes(), state.keys);
        if (!lookUp.isEmpty()) {
            Metrics.keysLookedUp(integration, lookUp.size());
            // Memory no longer holds every key of the window: ask the durable index about those it does not know, one query
            // for the batch, and decide when the answer is in (commands meanwhile are handled as usual).
            context.pipeToSelf(durableKeys.find(persistenceId().id(), lookUp), (found, failure) -> new LookedUp(cmd, found, failure));
            return Effect().none();
        }
        return admit(state, cmd, java.util.Map.of());
    }

    private Effect<Event, State> onLookedUp(State state, LookedUp looked) {
        if (looked.failure() != null) {
            context.getLog().warn("{} cannot read its durable key index ({}); the batch is refused", persistenceId().id(),
                    looked.failure().toString());
            return Effect().reply(looked.batch().replyTo(), new AcceptReply(looked.batch().envelopes().stream()
                    .map(e -> new Outcome(Admission.REFUSED, "")).toList()));
        }
        return admit(state, looked.batch(), looked.found());
    }

    /** Persists the new envelopes of {@code cmd} in one write and answers each; {@code lookedUp}: keys found durably. */
    private Effect<Event, State> admit(State state, AcceptBatch cmd, java.util.Map<String, KeyIndex.Entry> lookedUp) {
        Dedup.Decided decided = Dedup.decide(cmd.envelopes(), state.keys, lookedUp, System.currentTimeMillis(),
                settings.dedupWindow().toMillis());
        AcceptReply reply = new AcceptReply(decided.outcomes());
        if (decided.accepted().isEmpty()) {
            return Effect().reply(cmd.replyTo(), reply);
        }
        List<Event> events = decided.accepted().stream().<Event>map(Accepted::new).toList();
        return Effect().persist(events)
                .thenRun(newState -> {
                    decided.accepted().forEach(e -> {
                        undispatched.add(e.messageId());
                        Metrics.received(integration, e.unusable() == null ? Metrics.Received.ACCEPTED : Metrics.Received.INVALID);
                    });
                    dispatch(newState);
                    storeKeys(newState);
                })
                .thenReply(cmd.replyTo(), newState -> reply);
    }

    /** Writes the keys accepted since the last write to {@link DurableKeys}, one write at a time. */
    private void storeKeys(State state) {
        if (storingKeys || !state.keys.hasToStore()) {
            return;
        }
        List<KeyIndex.Entry> entries = state.keys.drainToStore();
        storingKeys = true;
        context.pipeToSelf(durableKeys.store(persistenceId().id(), entries), (done, failure) -> new KeysStored(entries, failure != null));
    }

    /**
     * Loads, off the actor, a filter of the keys the durable index holds for the window: keys dropped from memory before
     * the last restart. Until it is in, every key memory does not know is looked up.
     */
    private void loadDroppedKeys(State state) {
        StoredKeyFilter filter = state.keys.newFilter();
        long loading = life;
        context.pipeToSelf(durableKeys.scan(persistenceId().id(), state.keys.horizon(), filter::add),
                (done, failure) -> new DroppedKeysLoaded(filter, failure, loading));
    }

    private Effect<Event, State> onDroppedKeysLoaded(State state, DroppedKeysLoaded loaded) {
        if (loaded.life() != life || !state.keys.droppedKeysUnknown()) {
            return Effect().none();
        }
        if (loaded.failure() != null) {
            context.getLog().warn("{} cannot load its stored keys ({}); it looks up every key memory does not hold until it can",
                    persistenceId().id(), loaded.failure().toString());
            context.scheduleOnce(Duration.ofSeconds(5), context.getSelf(), new LoadDroppedKeys(life));
            return Effect().none();
        }
        state.keys.droppedKeysLoaded(loaded.filter());
        return Effect().none();
    }

    private Effect<Event, State> onKeysStored(State state, KeysStored stored) {
        storingKeys = false;
        if (stored.failed()) {
            state.keys.notStored(stored.entries()); // written again on the next accept or wake
        } else {
            state.keys.stored(stored.entries());
            storeKeys(state);
        }
        return Effect().none();
    }

    private Effect<Event, State> onSettle(State state, Settle cmd) {
        List<Settlement> open = cmd.settlements().stream().filter(s -> state.pending.containsKey(s.messageId())).toList();
        cmd.settlements().forEach(s -> inFlight.remove(s.messageId()));
        cmd.withdrawn().forEach(inFlight::remove); // pending still: its next owner delivers it
        // the partition keys of the ordered ones, read before the settlement takes them out of pending
        Map<String, String> keys = Map.of(); // stays empty (nothing allocated) for unordered integrations
        for (Settlement s : open) {
            String key = state.pending.get(s.messageId()).envelope().partitionKey();
            if (key != null) {
                keys = keys.isEmpty() ? new HashMap<>() : keys;
                keys.put(s.messageId(), key);
            }
        }
        Map<String, String> ordered = keys;
        boolean handedOff = handingOff && inFlight.isEmpty();
        if (open.isEmpty()) {
            dispatch(state);
            return handedOff ? Effect().stop().thenReply(cmd.replyTo(), s -> org.apache.pekko.Done.getInstance())
                    : Effect().reply(cmd.replyTo(), org.apache.pekko.Done.getInstance());
        }
        long[] receivedAt = open.stream().mapToLong(s -> state.pending.get(s.messageId()).envelope().receivedAt()).toArray();
        var persisted = Effect().persist(new Settled(open)).thenRun(newState -> {
            for (int i = 0; i < open.size(); i++) {
                for (Settlement.TargetOutcome t : open.get(i).targets()) {
                    Metrics.settled(integration, t.target(), Metrics.label(t.status()), receivedAt[i], open.get(i).settledAt());
                }
            }
            ordered.forEach((id, key) -> {
                String next = gate.settled(key, id, newState.parked.isParked(key),
                        waiting -> newState.pending.containsKey(waiting) && !inFlight.contains(waiting));
                if (next != null) {
                    undispatched.addFirst(next); // next of its key, before anything accepted after it
                }
            });
            dispatch(newState);
        });
        return (handedOff ? persisted.thenStop() : persisted).thenReply(cmd.replyTo(), s -> org.apache.pekko.Done.getInstance());
    }

    private Effect<Event, State> onHandOff(State state, HandOff cmd) {
        handingOff = true;
        if (stream == null || inFlight.isEmpty()) {
            return Effect().stop();
        }
        context.getLog().debug("{} hands off after {} deliveries under way", persistenceId().id(), inFlight.size());
        stream.withdraw(); // those that have not made an attempt yet end now
        context.scheduleOnce(HAND_OFF_TIMEOUT, context.getSelf(), new HandOffTimedOut());
        return Effect().none();
    }

    /**
     * Selects the dead letters to replay and reads their records (payload, attempts) from the journal, which memory does not
     * keep; the replay is persisted with what it delivers once they are read. Dead letters being replayed are not selected
     * again meanwhile; one still being delivered from an earlier replay waits for that delivery to end.
     */
    private Effect<Event, State> onReplay(State state, ReplayDeadLetters cmd) {
        java.util.Set<String> busy = new HashSet<>(replaying);
        busy.addAll(state.pending.keySet());
        List<DeadLetters.Selected> selected = state.deadLetters.select(cmd.query(), busy);
        if (selected.isEmpty()) {
            return Effect().reply(cmd.replyTo(), new DeadLetters.Applied(List.of()));
        }
        selected.forEach(s -> replaying.add(s.messageId()));
        List<DeadLetters.Letter> letters = selected.stream().map(s -> state.deadLetters.letters.get(s.messageId())).toList();
        context.pipeToSelf(records.read(persistenceId().id(), letters), (read, failure) -> new ReplayRead(cmd, selected, read, failure));
        return Effect().none();
    }

    private Effect<Event, State> onReplayRead(State state, ReplayRead read) {
        read.selected().forEach(s -> replaying.remove(s.messageId()));
        ReplayDeadLetters cmd = read.replay();
        if (read.failure() != null) {
            context.getLog().warn("{} cannot read dead letters to replay them: {}", persistenceId().id(), read.failure().toString());
            return Effect().reply(cmd.replyTo(), new DeadLetters.Applied(List.of()));
        }
        List<DeadLetters.Selected> selected = new ArrayList<>();
        List<PendingDelivery> deliveries = new ArrayList<>();
        for (DeadLetters.Selected s : read.selected()) {
            DeadLetters.Letter letter = state.deadLetters.letters.get(s.messageId());
            DeadLetters.DeadLetter record = read.records().get(s.messageId());
            if (letter == null || record == null) {
                if (letter != null) {
                    context.getLog().error("{}: the record of dead letter {} is not in the journal; it is not replayed",
                            persistenceId().id(), s.messageId());
                }
                continue; // discarded meanwhile
            }
            List<String> targets = s.targets().stream().filter(t -> letter.targets().stream().anyMatch(l -> l.target().equals(t))).toList();
            selected.add(new DeadLetters.Selected(s.messageId(), targets));
            deliveries.add(again(record, targets, cmd.mappings(), letter.acceptedSeqNr()));
        }
        if (selected.isEmpty()) {
            return Effect().reply(cmd.replyTo(), new DeadLetters.Applied(List.of()));
        }
        return Effect().persist(new Replayed(selected, cmd.by(), cmd.reason(), System.currentTimeMillis(), cmd.mappings(), deliveries))
                .thenRun(newState -> {
                    selected.forEach(s -> undispatched.add(s.messageId()));
                    dispatch(newState);
                })
                .thenReply(cmd.replyTo(), newState -> new DeadLetters.Applied(selected));
    }

    /** What a replay of {@code targets} of a dead letter delivers: counting on from their attempts, with the versions asked for. */
    private static PendingDelivery again(DeadLetters.DeadLetter record, List<String> targets, MappingChoice mappings, long acceptedSeqNr) {
        java.util.Map<String, List<Settlement.Attempt>> earlier = new java.util.LinkedHashMap<>();
        record.targets().stream().filter(t -> targets.contains(t.target()))
                .forEach(t -> earlier.put(t.target(), t.history() == null ? List.of() : t.history()));
        return new PendingDelivery(record.envelope(), targets, earlier, mappings,
                mappings == MappingChoice.ORIGINAL ? record.mappingVersions() : List.of(), acceptedSeqNr);
    }

    // ---- retention: the oldest events go, once what is still alive among them is carried forward

    private Effect<Event, State> onRetentionDue() {
        if (!retaining && retention != null) {
            retaining = true;
            context.pipeToSelf(retention.horizon(persistenceId().id(), System.currentTimeMillis() - settings.retention().toMillis()),
                    (horizon, failure) -> new HorizonFound(horizon == null ? 0 : horizon, failure));
        }
        return Effect().none();
    }

    private Effect<Event, State> onHorizonFound(State state, HorizonFound found) {
        if (found.failure() != null || found.horizon() <= 0) {
            return retentionDone(found.failure());
        }
        long horizon = found.horizon();
        List<DeadLetters.Letter> letters = state.deadLetters.letters.values().stream()
                .filter(l -> Math.min(l.acceptedSeqNr(), l.settledSeqNr()) <= horizon).limit(CARRY_CHUNK).toList();
        List<PendingDelivery> pending = java.util.stream.Stream.concat(state.pending.values().stream(), state.parked.followers().stream())
                .filter(p -> p.acceptedSeqNr() <= horizon).limit(CARRY_CHUNK).toList();
        if (!letters.isEmpty()) {
            context.pipeToSelf(records.read(persistenceId().id(), letters), (read, failure) -> new CarryRead(horizon, letters, read, failure));
            return Effect().none();
        }
        if (!pending.isEmpty()) {
            return Effect().persist(new Carried(List.of(), pending))
                    .thenRun(newState -> context.getSelf().tell(new HorizonFound(horizon, null)));
        }
        context.pipeToSelf(retention.deleteUpTo(persistenceId().id(), horizon),
                (deleted, failure) -> new Trimmed(horizon, deleted == null ? 0 : deleted, failure));
        return Effect().none();
    }

    private Effect<Event, State> onCarryRead(State state, CarryRead read) {
        if (read.failure() != null) {
            return retentionDone(read.failure());
        }
        List<String> missing = read.letters().stream().map(DeadLetters.Letter::messageId)
                .filter(id -> state.deadLetters.letters.containsKey(id) && !read.records().containsKey(id)).toList();
        if (!missing.isEmpty()) {
            // never remove events of a dead letter that could not be read in full
            return retentionDone(new IllegalStateException("the records of dead letters " + missing.stream().limit(5).toList()
                    + " were not found; nothing is removed"));
        }
        List<DeadLetters.DeadLetter> carried = read.letters().stream().map(l -> read.records().get(l.messageId()))
                .filter(r -> r != null && state.deadLetters.letters.containsKey(r.envelope().messageId())).toList();
        return Effect().persist(new Carried(carried, List.of()))
                .thenRun(newState -> context.getSelf().tell(new HorizonFound(read.horizon(), null)));
    }

    private Effect<Event, State> onTrimmed(Trimmed trimmed) {
        if (trimmed.failure() == null && trimmed.deleted() > 0) {
            context.getLog().info("{}: retention removed {} events up to {}", persistenceId().id(), trimmed.deleted(), trimmed.horizon());
        }
        return retentionDone(trimmed.failure());
    }

    private Effect<Event, State> retentionDone(Throwable failure) {
        if (failure != null) {
            context.getLog().warn("{}: retention removed nothing this time: {}", persistenceId().id(), failure.toString());
        }
        retaining = false;
        context.scheduleOnce(settings.retentionCheck(), context.getSelf(), new RetentionDue());
        return Effect().none();
    }

    private Effect<Event, State> onLocate(State state, Locate cmd) {
        KeyIndex.Entry entry = cmd.messageId() != null ? state.keys.byMessageId(cmd.messageId()) : state.keys.get(cmd.idempotencyKey());
        String id = entry != null ? entry.messageId() : cmd.messageId() != null ? cmd.messageId() : "";
        return Effect().reply(cmd.replyTo(), new Location(persistenceId().id(), id, entry == null ? -1 : entry.sequenceNr(),
                state.pending.containsKey(id) || state.parked.holds(id)));
    }

    private Effect<Event, State> onReprocess(State state, Reprocess cmd) {
        long now = System.currentTimeMillis();
        List<Envelope> copies = new ArrayList<>();
        for (Envelope original : cmd.originals()) {
            String key = original.idempotencyKey() + ":reprocess:" + cmd.operationId();
            if (state.keys.get(key) == null) { // the same operation asked twice (a retried request) copies once
                copies.add(original.toBuilder().messageId(MessageIds.next()).idempotencyKey(key).receivedAt(now)
                        .revision(cmd.revision()).parentId(original.messageId()).firstStep(0).mappings(List.of()).build());
            }
        }
        Reprocessing reply = new Reprocessing(copies.stream().map(Envelope::messageId).toList());
        if (copies.isEmpty()) {
            return Effect().reply(cmd.replyTo(), reply);
        }
        return Effect().persist(new Reprocessed(cmd.operationId(), copies, cmd.target(), cmd.revision(), cmd.by(), cmd.reason(), now))
                .thenRun(newState -> {
                    copies.forEach(c -> undispatched.add(c.messageId()));
                    dispatch(newState);
                    storeKeys(newState);
                })
                .thenReply(cmd.replyTo(), newState -> reply);
    }

    private Effect<Event, State> onDiscard(State state, DiscardDeadLetters cmd) {
        List<DeadLetters.Selected> selected = state.deadLetters.select(cmd.query(), replaying);
        if (selected.isEmpty()) {
            return Effect().reply(cmd.replyTo(), new DeadLetters.Applied(List.of()));
        }
        return Effect().persist(new Discarded(selected, cmd.by(), cmd.reason(), System.currentTimeMillis()))
                .thenRun(this::dispatch)
                .thenReply(cmd.replyTo(), newState -> new DeadLetters.Applied(selected));
    }

    private Effect<Event, State> onDeliveryStreamFailed(State state, DeliveryStreamFailed cmd) {
        if (cmd.generation() != streamGeneration) {
            return Effect().none(); // a stream replaced already; the current one is running
        }
        if (handingOff) {
            return Effect().stop(); // the next owner delivers what is pending
        }
        context.getLog().warn("delivery stream of {} stopped ({}); restarting it", persistenceId().id(), cmd.reason());
        startDelivery(state);
        return Effect().none();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Accepted.class, (state, event) -> {
                    Envelope envelope = event.envelope();
                    long sequenceNr = lastSequenceNumber(context);
                    state.keys.put(new KeyIndex.Entry(envelope.idempotencyKey(), envelope.messageId(), envelope.bodyHash(),
                            envelope.receivedAt(), sequenceNr));
                    waitFor(state, PendingDelivery.fresh(envelope, sequenceNr));
                    return state;
                })
                .onEvent(Reprocessed.class, (state, event) -> {
                    long sequenceNr = lastSequenceNumber(context);
                    for (Envelope copy : event.copies()) {
                        state.keys.put(new KeyIndex.Entry(copy.idempotencyKey(), copy.messageId(), copy.bodyHash(), copy.receivedAt(), sequenceNr));
                        waitFor(state, PendingDelivery.through(copy, List.of(event.target()), sequenceNr));
                        state.deadLetters.record(event.operation(copy));
                    }
                    return state;
                })
                .onEvent(Settled.class, (state, event) -> {
                    long sequenceNr = lastSequenceNumber(context);
                    Map<String, String> park = null;
                    for (Settlement s : event.settlements()) {
                        PendingDelivery settled = state.pending.remove(s.messageId());
                        String partitionKey = settled == null ? null : settled.envelope().partitionKey();
                        if (partitionKey != null && s.anyDeadLettered()) {
                            park = park == null ? new LinkedHashMap<>() : park;
                            park.put(partitionKey, s.messageId());
                        } else if (partitionKey != null) {
                            state.parked.resolve(s.messageId(), false, state.deadLetters.letters.containsKey(s.messageId()), state.pending);
                        }
                        if (settled != null && s.anyDeadLettered()) {
                            state.deadLetters.add(settled, s, sequenceNr);
                            if (recovering) {
                                state.legacy.put(s.messageId(), new DeadLetters.DeadLetter(settled.envelope(), s.targets().stream()
                                        .filter(t -> t.status() == Settlement.Status.DEAD_LETTERED).toList(), s.settledAt(), s.transformed(),
                                        s.mappingVersions(), List.of()));
                            }
                        }
                    }
                    if (park != null) { // the rest of each key waits behind its dead letter, in order
                        state.parked.park(park, event.settlements().get(0).settledAt(), state.pending);
                    }
                    return state;
                })
                .onEvent(Replayed.class, (state, event) -> {
                    for (int i = 0; i < event.selected().size(); i++) {
                        DeadLetters.Selected s = event.selected().get(i);
                        DeadLetters.Letter letter = state.deadLetters.letters.get(s.messageId());
                        if (letter == null) {
                            continue;
                        }
                        PendingDelivery again = event.deliveries() != null ? event.deliveries().get(i) : legacyReplay(state, s, event, letter);
                        state.deadLetters.replayed(s, event.operation(s, letter.idempotencyKey()));
                        if (again != null) {
                            state.pending.put(s.messageId(), again);
                        }
                    }
                    return state;
                })
                .onEvent(Revealed.class, (state, event) -> {
                    state.deadLetters.record(event.operation());
                    return state;
                })
                .onEvent(Discarded.class, (state, event) -> {
                    for (DeadLetters.Selected s : event.selected()) {
                        DeadLetters.Letter letter = state.deadLetters.letters.get(s.messageId());
                        if (letter != null) {
                            state.deadLetters.discard(s, event.operation(s, letter.idempotencyKey()));
                            // discarding a parked key's head gives up on it: the rest of its key goes on, in order
                            state.parked.resolve(s.messageId(), state.pending.containsKey(s.messageId()),
                                    state.deadLetters.letters.containsKey(s.messageId()), state.pending);
                        }
                    }
                    return state;
                })
                .onEvent(Carried.class, (state, event) -> {
                    long sequenceNr = lastSequenceNumber(context);
                    for (DeadLetters.DeadLetter record : event.letters()) {
                        DeadLetters.Letter letter = state.deadLetters.letters.get(record.envelope().messageId());
                        if (letter != null) { // its record is here now
                            state.deadLetters.put(new DeadLetters.Letter(letter.messageId(), letter.idempotencyKey(), letter.receivedAt(),
                                    letter.deadLetteredAt(), letter.targets(), sequenceNr, sequenceNr));
                        }
                    }
                    for (PendingDelivery p : event.pending()) {
                        if (state.pending.containsKey(p.envelope().messageId())) {
                            state.pending.put(p.envelope().messageId(), new PendingDelivery(p.envelope(), p.targets(), p.earlier(),
                                    p.mappings(), p.pinned(), sequenceNr));
                        }
                    }
                    state.parked.carried(event.pending(), sequenceNr);
                    return state;
                })
                .build();
    }

    /** A message just accepted waits for delivery, or, when its partition key is parked, at the end of its key. */
    private static void waitFor(State state, PendingDelivery message) {
        String key = message.envelope().partitionKey();
        if (key != null && state.parked.isParked(key)) {
            state.parked.follow(key, message);
        } else {
            state.pending.put(message.envelope().messageId(), message);
        }
    }

    /**
     * A replay written while dead letters were kept whole in memory: what it delivers is rebuilt from the record recovered with
     * it (an old snapshot, or the settlement replayed before it); null, with an error, when there is none.
     */
    private PendingDelivery legacyReplay(State state, DeadLetters.Selected s, Replayed event, DeadLetters.Letter letter) {
        DeadLetters.DeadLetter record = state.legacy.get(s.messageId());
        if (record == null) {
            context.getLog().error("{}: replay of {} written by an older version has no record to deliver; it stays a dead letter",
                    persistenceId().id(), s.messageId());
            return null;
        }
        return again(record, s.targets(), event.mappings(), letter.acceptedSeqNr());
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                // After a journal failure the persistence behavior restarts and recovers from the journal, starting from the
                // emptyState() object it was given once (Pekko 1.1 does not call emptyState() again; Akka fixed the same in
                // akka-core#32822). Our state is mutable, so without a snapshot that object IS the state: it still holds the
                // events whose write failed, and the partition would answer "duplicate" for keys that are not in the journal.
                .onSignal(org.apache.pekko.actor.typed.PostStop.instance(), state -> Metrics.partitionGone(persistenceId().id()))
                .onSignal(PreRestart.instance(), state -> {
                    state.empty(settings);
                    life++;
                    recovering = true;
                    retaining = false;
                })
                .onSignal(RecoveryCompleted.instance(), state -> {
                    recovering = false;
                    state.legacy.clear();
                    context.scheduleOnce(settings.retentionCheck(), context.getSelf(), new RetentionDue());
                    context.getLog().debug("{} recovered: {} keys, {} pending", persistenceId().id(), state.keys.size(), state.pending.size());
                    storingKeys = false;
                    storeKeys(state); // those recovered from events after the snapshot may not be stored yet
                    if (state.keys.droppedKeysUnknown()) {
                        loadDroppedKeys(state);
                    }
                    startDelivery(state);
                })
                .build();
    }

    private void startDelivery(State state) {
        if (delivery == null) {
            context.getLog().error("{} has {} pending envelopes but its integration is not configured on this node",
                    persistenceId().id(), state.pending.size());
            return;
        }
        if (stream != null) {
            stream.stop();
        }
        inFlight.clear();
        gate.clear();
        state.parked.clearReleased(); // every pending envelope is dispatched anyway
        undispatched.clear();
        undispatched.addAll(state.pending.keySet());
        if (materializer == null || materializer.isShutdown()) {
            materializer = Materializer.createMaterializer(context);
        }
        stream = DeliveryStream.start(context.getSelf(), context.getSystem().scheduler(), materializer, delivery,
                settings.deliveryWindow(), ++streamGeneration);
        dispatch(state);
    }

    /**
     * Hands undispatched pending envelopes to the delivery stream while the window has room. An envelope with a partition key
     * goes only when no other of its key is in flight; else it waits behind it ({@link KeyGate}) without taking a slot.
     */
    private void dispatch(State state) {
        Metrics.partition(persistenceId().id(), integration, state.pending.size(), state.deadLetters.letters.size(),
                state.parked.followerCount());
        undispatched.addAll(state.parked.drainReleased());
        if (stream == null || handingOff) {
            return;
        }
        while (inFlight.size() < settings.deliveryWindow() && !undispatched.isEmpty()) {
            String id = undispatched.poll();
            PendingDelivery envelope = state.pending.get(id);
            if (envelope == null || inFlight.contains(id)) {
                continue;
            }
            String key = envelope.envelope().partitionKey();
            if (key != null && !gate.mayGo(key, id)) {
                continue;
            }
            if (!stream.offer(envelope)) {
                undispatched.addFirst(id);
                return;
            }
            inFlight.add(id);
            if (key != null) {
                gate.started(key, id);
            }
        }
    }

    @Override
    public SnapshotAdapter<State> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(State state) {
                // Called on the actor's thread: copying here keeps the mutable state out of the asynchronous snapshot write.
                return new Snapshot(null, new ArrayList<>(state.pending.values()), null, new ArrayList<>(state.deadLetters.audit),
                        state.keys.copy(), new ArrayList<>(state.deadLetters.letters.values()), state.parked.copy());
            }

            @Override
            public State fromJournal(Object from) {
                Snapshot snapshot = (Snapshot) from;
                State state = new State(settings);
                // Snapshots written before keys were stored durably hold only the entries; they are all stored again.
                state.keys.restore(snapshot.keyIndex() != null ? snapshot.keyIndex() : new KeyIndex.Saved(snapshot.keys(), null, 0));
                snapshot.pending().forEach(p -> state.pending.put(p.envelope().messageId(), p));
                if (snapshot.letters() != null) {
                    snapshot.letters().forEach(state.deadLetters::put);
                } else if (snapshot.deadLetters() != null) {
                    // written while dead letters were kept whole: kept compact from now on, whole only while recovering
                    snapshot.deadLetters().forEach(d -> {
                        state.deadLetters.put(DeadLetters.letterOf(d));
                        state.legacy.put(d.envelope().messageId(), d);
                    });
                }
                state.deadLetters.audit.addAll(snapshot.audit());
                if (snapshot.parked() != null) {
                    state.parked.restore(snapshot.parked());
                }
                return state;
            }
        };
    }
}
