package dev.junction.server.inbox;

import java.util.concurrent.CompletionStage;

/**
 * Removes the oldest events of a partition's journal: a prefix, never the middle (pekko-persistence-jdbc 1.1.1 stops reading at
 * a sequence-number gap, #516; a gap at the head is skipped). The partition first carries forward what is still alive in that
 * prefix. Implemented over JDBC, off the calling thread. Thread-safe.
 */
public interface JournalRetention {

    /**
     * The highest sequence number that may go: every event up to it was written before {@code writtenBefore} (epoch ms), it is
     * covered by the latest snapshot (recovery does not read it), and it is not the highest event (the journal keeps that one,
     * or the next sequence number would be taken again). 0 when nothing may go.
     */
    CompletionStage<Long> horizon(String persistenceId, long writtenBefore);

    /** Deletes the events of {@code persistenceId} up to {@code sequenceNr}; completes with how many. */
    CompletionStage<Integer> deleteUpTo(String persistenceId, long sequenceNr);
}
