package dev.junction.server.source;

import dev.junction.connectors.api.SourceInstance;
import dev.junction.server.serialization.CborSerializable;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Runs the source of one integration whose source must have a single reader ({@code Placement.ONE_NODE}): a sharded entity
 * (id = the integration), so exactly one node of the cluster runs it, and when that node leaves or dies sharding starts it
 * on another, where it resumes from the position its source committed to the journal. Every node's {@link Sources} sends
 * {@link Check} every few seconds, which starts it after a move and makes it follow a reload of its node's configuration:
 * a changed source block restarts the source (the old one stopped first: never two readers), a removed one stops it.
 */
final class SingleReader extends AbstractBehavior<SingleReader.Command> {

    static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "single-reader");
    /** Below sharding's own forced stop of a moving entity. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    sealed interface Command extends CborSerializable {}

    /** Start the source if it is not running; restart it if its definition changed; stop if it is gone from this node. */
    record Check() implements Command {}

    /** Sharding moves or stops this entity: stop the source, then stop. */
    record Stop() implements Command {}

    private record Stopped(String definition) implements Command {}

    private final String integration;
    private final Sources sources;
    private SourceInstance running;
    private String definition; // of the running source; null when none runs
    private boolean stopping;

    private SingleReader(ActorContext<Command> context, String integration, Sources sources) {
        super(context);
        this.integration = integration;
        this.sources = sources;
    }

    static Behavior<Command> create(String integration, Sources sources) {
        return Behaviors.setup(context -> {
            context.getSelf().tell(new Check());
            return new SingleReader(context, integration, sources);
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Check.class, c -> onCheck())
                .onMessage(Stop.class, s -> onStop())
                .onMessage(Stopped.class, this::onStopped)
                .onSignal(PostStop.class, s -> {
                    if (running != null) {
                        sources.stopOneNode(integration, running); // stopped without its Stop (the node is going down)
                    }
                    return this;
                })
                .build();
    }

    private Behavior<Command> onCheck() {
        if (stopping) {
            return this;
        }
        Sources.Definition wanted = sources.oneNodeDefinition(integration);
        if (wanted == null) {
            return onStop(); // no longer a single-reader source here (removed, or placed on every node now)
        }
        if (running == null) {
            try {
                running = sources.startOneNode(integration, wanted);
                definition = wanted.text();
            } catch (RuntimeException e) {
                getContext().getLog().warn("the source of {} failed to start; trying again: {}", integration, e.toString());
            }
        } else if (!wanted.text().equals(definition)) {
            stopping = true;
            SourceInstance old = running;
            running = null;
            getContext().pipeToSelf(sources.stopOneNode(integration, old).toCompletableFuture()
                            .orTimeout(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                    (x, failure) -> new Stopped(wanted.text()));
        }
        return this;
    }

    /** The old source is stopped: start the new one at once (a reload), or stop for good (a move or shutdown). */
    private Behavior<Command> onStopped(Stopped stopped) {
        running = null;
        definition = null;
        stopping = false;
        if (stopped.definition() == null) {
            return Behaviors.stopped();
        }
        return onCheck();
    }

    private Behavior<Command> onStop() {
        if (running == null) {
            return Behaviors.stopped();
        }
        stopping = true;
        SourceInstance old = running;
        running = null;
        getContext().pipeToSelf(sources.stopOneNode(integration, old).toCompletableFuture()
                        .orTimeout(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                (x, failure) -> new Stopped(null));
        return this;
    }
}
