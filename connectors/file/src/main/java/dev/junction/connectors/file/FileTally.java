package dev.junction.connectors.file;

import dev.junction.connectors.api.IngestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Gathers the inbox's answers for the messages of one file and, at the last one, decides what becomes of the file: moved to
 * {@code .done/} when every message is durable, left in place to be tried again when any was refused as unavailable, moved to
 * {@code .failed/} when the file is malformed or a message conflicts with one accepted before under the same key.
 *
 * <p>Not thread-safe, and needs no locks: the source's stream hands it the answers from one stage, in file order.
 */
final class FileTally {

    /** What becomes of a file. */
    enum Fate { DONE, RETRY, FAILED }

    /** The decision for one file, with the reasons when it failed. */
    record Verdict(ParsedFile file, Fate fate, List<String> reasons) {}

    /** One unit of work in the stream: a message to ingest, or ({@code line} null) a file with nothing to ingest. */
    record Item(FileTally tally, ParsedFile.Line line) {}

    private final ParsedFile file;
    private final int expected;
    private int answered;
    private boolean unavailable;
    private final List<String> refusals = new ArrayList<>();

    private FileTally(ParsedFile file) {
        this.file = file;
        this.expected = Math.max(1, file.messages().size());
    }

    /** The work for {@code file}: one item per message, or a single empty item for a malformed or empty file. */
    static List<Item> itemsOf(ParsedFile file) {
        FileTally tally = new FileTally(file);
        if (file.messages().isEmpty()) {
            return List.of(new Item(tally, null));
        }
        return file.messages().stream().map(line -> new Item(tally, line)).toList();
    }

    /** Records the answer for one item ({@code result} null for an empty item); the verdict once all are in. */
    Optional<Verdict> answer(Item item, IngestResult result) {
        if (result instanceof IngestResult.Unavailable) {
            unavailable = true;
        } else if (result instanceof IngestResult.Conflict conflict) {
            refusals.add("line " + item.line().number() + ": idempotency key " + item.line().message().idempotencyKey()
                    + " was accepted before with a different body (message " + conflict.messageId() + ")");
        }
        if (++answered < expected) {
            return Optional.empty();
        }
        if (file.isMalformed()) {
            return Optional.of(new Verdict(file, Fate.FAILED, file.problems()));
        }
        if (unavailable) {
            // retry even when other lines conflict: the next poll settles the rest, then fails the file with every reason
            return Optional.of(new Verdict(file, Fate.RETRY, List.of()));
        }
        return Optional.of(refusals.isEmpty()
                ? new Verdict(file, Fate.DONE, List.of())
                : new Verdict(file, Fate.FAILED, List.copyOf(refusals)));
    }
}
