package dev.junction.server.source;

import dev.junction.connectors.api.PositionStore;
import dev.junction.server.serialization.CborSerializable;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The durable position of one integration's source, an event-sourced entity in the journal: sharded, so the position is found
 * from whichever node runs the source, and it moves with the cluster. Entity id {@code <integration>/<source kind>}: a source
 * changed to another kind starts afresh rather than reading a position it cannot understand.
 *
 * <p>Only the latest position matters, so the journal keeps little of the history: a snapshot every {@value #SNAPSHOT_EVERY}
 * commits, and the events before the older of the two kept snapshots are deleted. That deletes a prefix of the persistence
 * id, never its middle, so recovery (snapshot, then the events after it) never meets the sequence-number gap that stops
 * pekko-persistence-jdbc 1.1.1 (#516).
 */
final class SourcePositions extends EventSourcedBehavior<SourcePositions.Command, SourcePositions.Committed, SourcePositions.State> {

    static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "source-position");
    private static final int SNAPSHOT_EVERY = 100;
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    sealed interface Command extends CborSerializable {}

    record Load(ActorRef<Loaded> replyTo) implements Command {}

    /** {@code position} is null before the first commit. */
    record Loaded(String position) implements CborSerializable {}

    record Commit(String position, ActorRef<Done> replyTo) implements Command {}

    /** The source committed a new position. */
    record Committed(String position, long at) implements CborSerializable {}

    record State(String position) implements CborSerializable {}

    private SourcePositions(String entityId) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    }

    static void init(ActorSystem<?> system) {
        ClusterSharding.get(system).init(Entity.of(TYPE_KEY, ctx -> SourcePositions.create(ctx.getEntityId())));
    }

    private static Behavior<Command> create(String entityId) {
        return new SourcePositions(entityId);
    }

    /** The store a source of {@code integration} of kind {@code kind} is given. */
    static PositionStore storeFor(ActorSystem<?> system, String integration, String kind) {
        EntityRef<Command> ref = ClusterSharding.get(system).entityRefFor(TYPE_KEY, integration + "/" + kind);
        return new PositionStore() {
            private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

            @Override
            public CompletionStage<Optional<String>> load() {
                return ref.<Loaded>ask(Load::new, ASK_TIMEOUT).thenApply(loaded -> Optional.ofNullable(loaded.position()));
            }

            @Override
            public synchronized CompletionStage<Void> commit(String position) {
                if (position == null || position.length() > MAX_LENGTH) {
                    return CompletableFuture.failedFuture(new IllegalArgumentException(
                            "a position is a text of at most " + MAX_LENGTH + " characters"));
                }
                // One after the other, so a later position is never overwritten by an earlier one that arrived late.
                CompletableFuture<Void> next = last.handle((x, e) -> null)
                        .thenCompose(x -> ref.<Done>ask(replyTo -> new Commit(position, replyTo), ASK_TIMEOUT))
                        .thenApply(done -> (Void) null)
                        .toCompletableFuture();
                last = next;
                return next;
            }
        };
    }

    @Override
    public State emptyState() {
        return new State(null);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public CommandHandler<Command, Committed, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Load.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Loaded(state.position())))
                .onCommand(Commit.class, (state, cmd) -> Effect().persist(new Committed(cmd.position(), System.currentTimeMillis()))
                        .thenReply(cmd.replyTo(), s -> Done.getInstance()))
                .build();
    }

    @Override
    public EventHandler<State, Committed> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Committed.class, (state, event) -> new State(event.position()))
                .build();
    }
}
