package dev.junction.connectors.testkit;

import dev.junction.connectors.api.PositionStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link PositionStore} in memory, for tests: it remembers every commit in order. Thread-safe. */
public final class MemoryPositions implements PositionStore {
    private final List<String> commits = new CopyOnWriteArrayList<>();

    public MemoryPositions() {}

    /** A store that starts at {@code position}, as if a source had committed it before a restart. */
    public MemoryPositions(String position) {
        commits.add(position);
    }

    @Override
    public CompletionStage<Optional<String>> load() {
        return CompletableFuture.completedFuture(current());
    }

    @Override
    public CompletionStage<Void> commit(String position) {
        commits.add(position);
        return CompletableFuture.completedFuture(null);
    }

    /** The last committed position. */
    public Optional<String> current() {
        return commits.isEmpty() ? Optional.empty() : Optional.of(commits.get(commits.size() - 1));
    }

    /** Every commit, oldest first. */
    public List<String> commits() {
        return List.copyOf(commits);
    }
}
