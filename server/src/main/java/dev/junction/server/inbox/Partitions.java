package dev.junction.server.inbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Asks inbox partitions, wherever in the cluster they live: one of them, or every partition of some integrations. Thread-safe. */
final class Partitions {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final ClusterSharding sharding;
    private final Supplier<Collection<String>> integrations;
    private final int partitions;

    Partitions(ActorSystem<?> system, Supplier<Collection<String>> integrations, int partitions) {
        this.sharding = ClusterSharding.get(system);
        this.integrations = integrations;
        this.partitions = partitions;
    }

    List<String> integrations() {
        return List.copyOf(integrations.get());
    }

    int count() {
        return partitions;
    }

    <R> CompletionStage<R> ask(String integration, int partition, Function<ActorRef<R>, InboxPartition.Command> message) {
        return sharding.entityRefFor(InboxPartition.TYPE_KEY, InboxPartition.entityId(integration, partition)).ask(message::apply, TIMEOUT);
    }

    /** Every partition of {@code integration}, or of every integration when empty; the answers in no particular order. */
    <R> CompletionStage<List<R>> askAll(Optional<String> integration, Function<ActorRef<R>, InboxPartition.Command> message) {
        List<CompletableFuture<R>> answers = new ArrayList<>();
        for (String name : integration.map(List::of).orElseGet(this::integrations)) {
            for (int p = 0; p < partitions; p++) {
                answers.add(this.<R>ask(name, p, message).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(x -> answers.stream().map(CompletableFuture::join).toList());
    }
}
