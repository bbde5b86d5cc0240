package dev.junction.connectors.api;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A source's durable position: an offset, a cursor, a watermark, a log sequence number; whatever tells the source where to
 * go on. The server keeps it in its own journal, per integration, so it survives restarts and moves with the source when the
 * node running it dies (see {@link Placement#ONE_NODE}). The value is the source's own text; a source with several positions
 * (one per partition) writes them as one JSON document. At most {@link #MAX_LENGTH} characters.
 *
 * <p>The rule that makes a pull source lose nothing: commit a position only after every message up to it was answered
 * {@link IngestResult#isDurable() durable}. After a crash the source starts again from the last committed position and
 * fetches again what came after it; those messages are answered as duplicates, so nothing is applied twice.
 *
 * <p>Thread-safe; never blocks. Commits are applied in the order they are made; a commit completes when it is in the
 * journal, and completes exceptionally when the journal did not confirm it (the source keeps its old position then, and
 * commits again later: never move on from an unconfirmed commit as if it were durable).
 */
public interface PositionStore {

    /** The longest position accepted. */
    int MAX_LENGTH = 65_536;

    /** The last committed position; empty before the first commit. Usually read once, in {@link SourceInstance#start()}. */
    CompletionStage<Optional<String>> load();

    /** Makes {@code position} the one the source resumes from. */
    CompletionStage<Void> commit(String position);
}
