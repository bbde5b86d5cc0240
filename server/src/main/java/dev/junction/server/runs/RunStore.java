package dev.junction.server.runs;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Where runs are kept (the {@code junction_runs} table every node writes and reads). */
public interface RunStore {

    /** Inserts {@code run}, or replaces the stored record of the same id. */
    CompletionStage<Void> save(RunRecord run);

    /** The newest runs first, at most {@code limit}; {@code integration} and {@code status} filter when not null. */
    CompletionStage<List<RunRecord>> list(String integration, String status, int limit);

    CompletionStage<Optional<RunRecord>> get(String id);

    /**
     * Marks every run of {@code integration} still {@code running} and started before {@code startedBefore} as failed, with
     * {@link #NODE_STOPPED} as its error: called as the integration's single-reader source starts, when no earlier run of it
     * can still be under way (its node stopped, or this one restarted). Answers how many it marked.
     */
    CompletionStage<Integer> abandon(String integration, java.time.Instant startedBefore);

    /** Removes the runs started before {@code before} (retention); answers how many. */
    CompletionStage<Integer> prune(java.time.Instant before);

    /** The error of a run its node left {@code running}. */
    String NODE_STOPPED = "the node running it stopped";
}
