package dev.junction.connectors.api;

import java.util.concurrent.CompletionStage;

/**
 * Where a source that works in runs (a poll every minute, a scheduled batch) records each run, so an operator sees when it
 * ran, over which window, what it read and how the inbox answered, and why a run failed. The server keeps the records in a
 * table every node of the cluster reads ({@code GET /api/v1/runs}).
 *
 * <p>Thread-safe; never blocks: records are written in the background, in the order they are made. A record that cannot be
 * written is logged and lost; it never fails the run, whose position and messages are kept elsewhere.
 */
public interface RunRecorder {

    /** How a run ended, or that it has not. */
    enum Status {
        /** Under way (or its node died before it ended). */
        RUNNING,
        /** Every page read and every item durable; the watermark moved to {@code watermarkAfter}. */
        SUCCEEDED,
        /** Nothing of it became durable; the watermark stayed. */
        FAILED,
        /** Some items became durable but not all (a page failed, the inbox refused some): the watermark stayed. */
        PARTIAL
    }

    /**
     * The window a run covers and where it starts.
     *
     * @param from            the window's start as the source writes it (the last committed watermark); null for none
     * @param to              the window's end (a batch's start time); null when open-ended
     * @param watermarkBefore the committed watermark the run starts from; null before the first commit
     */
    record Window(String from, String to, String watermarkBefore) {}

    /** Records the start of a run; its record is updated through the returned {@link Run}. */
    Run begin(Window window);

    /** One run's record, kept up to date by its source. */
    interface Run {

        /** The run's id, as the runs API shows it. */
        String id();

        /** Records progress so far (after each page); the record still says {@link Status#RUNNING}. */
        void progress(RunCounts counts);

        /**
         * Records the end of the run. {@code watermarkAfter} is the position committed by it (null when none was), {@code error}
         * why it failed (null when it did not). The stage completes when the record is written.
         */
        CompletionStage<Void> finish(Status status, RunCounts counts, String watermarkAfter, String error);
    }

    /** Records nothing: for tests and for sources run outside a server. */
    RunRecorder NONE = window -> new Run() {
        @Override
        public String id() {
            return "none";
        }

        @Override
        public void progress(RunCounts counts) {}

        @Override
        public CompletionStage<Void> finish(Status status, RunCounts counts, String watermarkAfter, String error) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    };
}
