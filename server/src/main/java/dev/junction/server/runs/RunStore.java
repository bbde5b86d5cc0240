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
}
