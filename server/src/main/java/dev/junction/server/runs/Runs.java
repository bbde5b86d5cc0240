package dev.junction.server.runs;

import dev.junction.connectors.api.RunCounts;
import dev.junction.connectors.api.RunRecorder;
import dev.junction.server.observability.Metrics;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the runs of one integration's source in the {@link RunStore}. Each run's writes are chained, so the store sees its
 * states in order (a late progress write never overwrites the finished record); a write that fails is logged and the next one
 * writes the whole record again. Thread-safe.
 */
public final class Runs implements RunRecorder {
    private static final Logger log = LoggerFactory.getLogger(Runs.class);
    /** The longest error text kept with a run. */
    static final int MAX_ERROR = 2000;

    private final RunStore store;
    private final String integration;
    private final String source;

    public Runs(RunStore store, String integration, String source) {
        this.store = store;
        this.integration = integration;
        this.source = source;
    }

    @Override
    public Run begin(Window window) {
        return new Recorded(UUID.randomUUID().toString(), Instant.now().toString(), window);
    }

    private final class Recorded implements Run {
        private final String id;
        private final String started;
        private final Window window;
        private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

        Recorded(String id, String started, Window window) {
            this.id = id;
            this.started = started;
            this.window = window;
            write(record(Status.RUNNING, new RunCounts(), null, null, null));
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void progress(RunCounts counts) {
            write(record(Status.RUNNING, counts, null, null, null));
        }

        @Override
        public CompletionStage<Void> finish(Status status, RunCounts counts, String watermarkAfter, String error) {
            String kept = error == null || error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR) + "...";
            Metrics.runFinished(integration, status.name().toLowerCase(Locale.ROOT), counts.read(), counts.accepted(),
                    counts.duplicate(), counts.invalid(), counts.failed());
            return write(record(status, counts, Instant.now().toString(), watermarkAfter, kept));
        }

        private RunRecord record(Status status, RunCounts c, String finished, String watermarkAfter, String error) {
            return new RunRecord(id, integration, source, status.name().toLowerCase(Locale.ROOT), started, finished, window.from(),
                    window.to(), window.watermarkBefore(), watermarkAfter, c.pages(), c.read(), c.accepted(), c.duplicate(),
                    c.invalid(), c.failed(), error);
        }

        private synchronized CompletableFuture<Void> write(RunRecord record) {
            last = last.thenCompose(x -> store.save(record).toCompletableFuture().exceptionally(e -> {
                log.warn("integration {}: cannot record run {} ({}): {}", integration, id, record.status(), e.getMessage());
                return null;
            }));
            return last;
        }
    }
}
