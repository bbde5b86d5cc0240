package dev.junction.server.inbox;

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
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.persistence.typed.PersistenceId;
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

    /** Sent by the delivery stream: these envelopes are done; the reply comes once that is persisted. */
    record Settle(List<Settlement> settlements, ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

    /** Starts the entity if it is not running (after a restart or a rebalance) so its pending envelopes are delivered. */
    public record Wake() implements Command {}

    /** Delivery stream {@code generation} stopped unexpectedly: start it again and hand it every pending envelope. */
    record DeliveryStreamFailed(long generation, String reason) implements Command {}

    /** The outcome of each envelope of an {@link AcceptBatch}, in the same order. */
    public record AcceptReply(List<Outcome> outcomes) implements CborSerializable {}

    /** {@code status} is accepted, duplicate or conflict; {@code messageId} is the new or the original id. */
    public record Outcome(String status, String messageId) implements CborSerializable {}

    // ---- events
    public sealed interface Event extends CborSerializable {}

    /** An envelope was accepted. */
    public record Accepted(Envelope envelope) implements Event {}

    /** Envelopes were settled. */
    public record Settled(List<Settlement> settlements) implements Event {}

    // ---- state: mutated only by the event handler; snapshots take a copy (see snapshotAdapter)
    public static final class State {
        final KeyIndex keys;
        final LinkedHashMap<String, Envelope> pending = new LinkedHashMap<>();

        State(InboxSettings settings) {
            this.keys = new KeyIndex(settings.dedupWindow(), settings.dedupMaxKeys());
        }
    }

    /** The persisted form of {@link State}. */
    public record Snapshot(List<KeyIndex.Entry> keys, List<Envelope> pending) implements CborSerializable {}

    private final ActorContext<Command> context;
    private final InboxSettings settings;
    private final DeliveryHandler delivery;
    // Transient dispatch bookkeeping, rebuilt after every (re)start.
    private final ArrayDeque<String> undispatched = new ArrayDeque<>();
    private final Set<String> inFlight = new HashSet<>();
    private DeliveryStream stream;
    private long streamGeneration;
    // Reused by restarted streams. A restart after a journal failure happens inside the persistence behavior: this object
    // stays, but the partition's children stop, the materializer with them, so it is made again when found shut down.
    private Materializer materializer;

    private InboxPartition(ActorContext<Command> context, String entityId, InboxSettings settings, DeliveryHandler delivery) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2)
                        .withLogLevel(org.slf4j.event.Level.WARN));
        this.context = context;
        this.settings = settings;
        this.delivery = delivery;
    }

    /** The behavior of one partition; {@code delivery} is null when this node does not know the integration (it then only keeps its state). */
    public static Behavior<Command> create(String entityId, InboxSettings settings, DeliveryHandler delivery) {
        return Behaviors.setup(context -> new InboxPartition(context, entityId, settings, delivery));
    }

    public static String entityId(String integration, int partition) {
        return integration + "#" + partition;
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
                .onCommand(Settle.class, this::onSettle)
                .onCommand(Wake.class, (state, cmd) -> Effect().none())
                .onCommand(DeliveryStreamFailed.class, this::onDeliveryStreamFailed)
                .build();
    }

    private Effect<Event, State> onAcceptBatch(State state, AcceptBatch cmd) {
        List<Event> events = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>(cmd.envelopes().size());
        Map<String, Envelope> batchKeys = new HashMap<>();
        for (Envelope envelope : cmd.envelopes()) {
            KeyIndex.Entry known = state.keys.get(envelope.idempotencyKey());
            Envelope sameBatch = batchKeys.get(envelope.idempotencyKey());
            String originalId = known != null ? known.messageId() : sameBatch != null ? sameBatch.messageId() : null;
            long originalHash = known != null ? known.bodyHash() : sameBatch != null ? sameBatch.bodyHash() : 0;
            if (originalId == null) {
                events.add(new Accepted(envelope));
                batchKeys.put(envelope.idempotencyKey(), envelope);
                outcomes.add(new Outcome("accepted", envelope.messageId()));
            } else {
                outcomes.add(new Outcome(originalHash == envelope.bodyHash() ? "duplicate" : "conflict", originalId));
            }
        }
        AcceptReply reply = new AcceptReply(outcomes);
        if (events.isEmpty()) {
            return Effect().reply(cmd.replyTo(), reply);
        }
        return Effect().persist(events)
                .thenRun(newState -> {
                    events.forEach(e -> undispatched.add(((Accepted) e).envelope().messageId()));
                    dispatch(newState);
                })
                .thenReply(cmd.replyTo(), newState -> reply);
    }

    private Effect<Event, State> onSettle(State state, Settle cmd) {
        List<Settlement> open = cmd.settlements().stream().filter(s -> state.pending.containsKey(s.messageId())).toList();
        cmd.settlements().forEach(s -> inFlight.remove(s.messageId()));
        if (open.isEmpty()) {
            dispatch(state);
            return Effect().reply(cmd.replyTo(), org.apache.pekko.Done.getInstance());
        }
        return Effect().persist(new Settled(open)).thenRun(this::dispatch).thenReply(cmd.replyTo(), s -> org.apache.pekko.Done.getInstance());
    }

    private Effect<Event, State> onDeliveryStreamFailed(State state, DeliveryStreamFailed cmd) {
        if (cmd.generation() != streamGeneration) {
            return Effect().none(); // a stream replaced already; the current one is running
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
                    state.keys.put(new KeyIndex.Entry(envelope.idempotencyKey(), envelope.messageId(), envelope.bodyHash(), envelope.receivedAt()));
                    state.pending.put(envelope.messageId(), envelope);
                    return state;
                })
                .onEvent(Settled.class, (state, event) -> {
                    event.settlements().forEach(s -> state.pending.remove(s.messageId()));
                    return state;
                })
                .build();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    context.getLog().debug("{} recovered: {} keys, {} pending", persistenceId().id(), state.keys.size(), state.pending.size());
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
        undispatched.clear();
        undispatched.addAll(state.pending.keySet());
        if (materializer == null || materializer.isShutdown()) {
            materializer = Materializer.createMaterializer(context);
        }
        stream = DeliveryStream.start(context.getSelf(), context.getSystem().scheduler(), materializer, delivery,
                settings.deliveryWindow(), ++streamGeneration);
        dispatch(state);
    }

    /** Hands undispatched pending envelopes to the delivery stream while the window has room. */
    private void dispatch(State state) {
        if (stream == null) {
            return;
        }
        while (inFlight.size() < settings.deliveryWindow() && !undispatched.isEmpty()) {
            String id = undispatched.poll();
            Envelope envelope = state.pending.get(id);
            if (envelope == null || inFlight.contains(id)) {
                continue;
            }
            if (!stream.offer(envelope)) {
                undispatched.addFirst(id);
                return;
            }
            inFlight.add(id);
        }
    }

    @Override
    public SnapshotAdapter<State> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(State state) {
                // Called on the actor's thread: copying here keeps the mutable state out of the asynchronous snapshot write.
                return new Snapshot(state.keys.copy(), new ArrayList<>(state.pending.values()));
            }

            @Override
            public State fromJournal(Object from) {
                Snapshot snapshot = (Snapshot) from;
                State state = new State(settings);
                state.keys.restore(snapshot.keys());
                snapshot.pending().forEach(e -> state.pending.put(e.messageId(), e));
                return state;
            }
        };
    }
}
