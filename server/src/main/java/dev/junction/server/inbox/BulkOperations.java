package dev.junction.server.inbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Replays and discards of more dead letters than one request should wait for, run as operations: an id, a status and how far
 * they are. Each works through its filter {@value #CHUNK} dead letters at a time (the newest first, as a listing shows them), so
 * neither the heap nor a request holds them all, and stops once it has taken as many as matched when it began (a replay that
 * fails again is a dead letter again, not taken twice). Kept on the node that runs them, the last {@value #KEPT}.
 * Thread-safe.
 */
public final class BulkOperations {
    static final int CHUNK = 500;
    private static final int KEPT = 100;

    /** An operation: {@code status} is running, done or failed; {@code done} counts the dead letters taken so far. */
    public record Progress(String id, String action, String integration, String by, String reason, String status, int total,
                           int done, long startedAt, Long finishedAt, String error) {

        Progress advanced(int more) {
            return new Progress(id, action, integration, by, reason, status, total, done + more, startedAt, finishedAt, error);
        }

        Progress ended(String newStatus, String why) {
            return new Progress(id, action, integration, by, reason, newStatus, total, done, startedAt, System.currentTimeMillis(), why);
        }
    }

    /** What an operation does: replayed (with the mapping versions asked for) or discarded. */
    public enum Action { REPLAY, DISCARD }

    private final DeadLetterService deadLetters;
    private final Map<String, Progress> operations = new LinkedHashMap<>();

    public BulkOperations(DeadLetterService deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** Starts taking every dead letter {@code query} matches ({@code total} of them); returns at once with its progress. */
    public Progress start(Action action, Optional<String> integration, DeadLetters.Query query, int total, String by, String reason,
                          MappingChoice mappings) {
        String name = action == Action.REPLAY ? "replayed" : "discarded";
        Progress started = new Progress(MessageIds.next(), name, integration.orElse(null), by, reason, "running", total, 0,
                System.currentTimeMillis(), null, null);
        put(started);
        DeadLetters.Query chunk = new DeadLetters.Query(query.messageIds(), query.system(), query.target(), query.errorClass(),
                query.from(), query.to(), Math.min(CHUNK, total));
        next(started.id(), action, integration, chunk, by, reason, mappings).whenComplete((x, failure) -> {
            if (failure != null) {
                update(started.id(), p -> p.ended("failed", String.valueOf(failure.getMessage())));
            }
        });
        return started;
    }

    private CompletionStage<Void> next(String id, Action action, Optional<String> integration, DeadLetters.Query chunk, String by,
                                       String reason, MappingChoice mappings) {
        Progress now = get(id).orElseThrow();
        if (now.done() >= now.total()) {
            update(id, p -> p.ended("done", null));
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<List<DeadLetters.Selected>> taken = action == Action.REPLAY
                ? deadLetters.replay(integration, chunk, by, reason, mappings)
                : deadLetters.discard(integration, chunk, by, reason);
        return taken.thenCompose(selected -> {
            if (selected.isEmpty()) {
                update(id, p -> p.ended("done", null));
                return CompletableFuture.completedFuture(null);
            }
            update(id, p -> p.advanced(selected.size()));
            return next(id, action, integration, chunk, by, reason, mappings);
        });
    }

    public synchronized Optional<Progress> get(String id) {
        return Optional.ofNullable(operations.get(id));
    }

    private synchronized void put(Progress progress) {
        operations.put(progress.id(), progress);
        while (operations.size() > KEPT) {
            operations.remove(operations.keySet().iterator().next());
        }
    }

    private synchronized void update(String id, java.util.function.UnaryOperator<Progress> change) {
        operations.computeIfPresent(id, (k, p) -> change.apply(p));
    }
}
