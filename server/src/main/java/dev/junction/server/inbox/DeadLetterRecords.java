package dev.junction.server.inbox;

import dev.junction.server.inbox.Settlement.Status;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads dead letters in full from a partition's journal: the envelope (where it was accepted, copied or carried), the
 * settlement that dead-lettered it (its targets with every attempt, the transformed payload, the mapping versions) and the
 * operators' actions in between. Memory keeps only where they are ({@link DeadLetters.Letter}); the ranges of the letters asked
 * for are merged so that dead letters written close together (a mass failure) are read in one pass. Thread-safe.
 */
final class DeadLetterRecords {
    /** How far past a letter's recorded position its events may lie (a position is a lower bound). */
    private static final long SLACK = 1000;

    private final JournalEvents journal;

    DeadLetterRecords(JournalEvents journal) {
        this.journal = journal;
    }

    /** The full record of each letter that is found, by message id. */
    CompletionStage<Map<String, DeadLetters.DeadLetter>> read(String persistenceId, Collection<DeadLetters.Letter> letters) {
        Map<String, Builder> wanted = new HashMap<>();
        letters.forEach(l -> wanted.put(l.messageId(), new Builder()));
        List<long[]> ranges = merged(letters.stream().map(DeadLetterRecords::range).toList());
        CompletionStage<Void> done = CompletableFuture.completedFuture(null);
        for (long[] range : ranges) {
            done = done.thenCompose(x -> scan(persistenceId, range[0], range[1], wanted));
        }
        return done.thenCompose(x -> {
            // Not found in its range (a position recorded too low after a recovery): read on to the end, once, for those.
            List<String> missing = wanted.entrySet().stream().filter(e -> !e.getValue().complete()).map(Map.Entry::getKey).toList();
            if (missing.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            long from = ranges.stream().mapToLong(r -> r[1]).max().orElse(0) + 1;
            return scan(persistenceId, from, Long.MAX_VALUE, wanted);
        }).thenApply(x -> {
            Map<String, DeadLetters.DeadLetter> found = new HashMap<>();
            wanted.forEach((id, b) -> {
                if (b.complete()) {
                    found.put(id, b.record());
                }
            });
            return found;
        });
    }

    private CompletionStage<Void> scan(String persistenceId, long from, long to, Map<String, Builder> wanted) {
        Source<EventEnvelope, ?> events = journal.between(persistenceId, from, to);
        return events.map(EventEnvelope::event).runWith(Sink.foreach(event -> add(event, wanted)), journal.system())
                .thenApply(done -> null);
    }

    private static void add(Object event, Map<String, Builder> wanted) {
        if (event instanceof InboxPartition.Accepted a) {
            Builder b = wanted.get(a.envelope().messageId());
            if (b != null) {
                b.envelope = a.envelope();
            }
        } else if (event instanceof InboxPartition.Reprocessed r) {
            r.copies().forEach(copy -> {
                Builder b = wanted.get(copy.messageId());
                if (b != null) {
                    b.envelope = copy;
                }
            });
        } else if (event instanceof InboxPartition.Settled s) {
            for (Settlement settlement : s.settlements()) {
                Builder b = wanted.get(settlement.messageId());
                if (b != null && settlement.anyDeadLettered()) {
                    b.settlement = settlement; // the latest one dead-lettered it
                }
            }
        } else if (event instanceof InboxPartition.Replayed r) {
            r.selected().forEach(s -> {
                Builder b = wanted.get(s.messageId());
                if (b != null) {
                    b.operations.add(r.operation(s, b.envelope() == null ? "" : b.envelope().idempotencyKey()));
                }
            });
        } else if (event instanceof InboxPartition.Carried c) {
            c.letters().forEach(record -> {
                Builder b = wanted.get(record.envelope().messageId());
                if (b != null) {
                    b.carried = record;
                }
            });
        }
    }

    /** The events a letter's record lies in: from its envelope to its settlement, and some slack. */
    private static long[] range(DeadLetters.Letter letter) {
        if (letter.acceptedSeqNr() <= 0 || letter.settledSeqNr() <= 0) {
            return new long[] {1, Long.MAX_VALUE}; // position unknown (kept from an old snapshot): the whole journal
        }
        return new long[] {Math.min(letter.acceptedSeqNr(), letter.settledSeqNr()), Math.max(letter.acceptedSeqNr(), letter.settledSeqNr()) + SLACK};
    }

    /** Overlapping ranges as one. */
    private static List<long[]> merged(List<long[]> ranges) {
        List<long[]> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(r -> r[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] r : sorted) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(new long[] {r[0], r[1]});
            }
        }
        return merged;
    }

    /** What has been found of one dead letter so far. */
    private static final class Builder {
        Envelope envelope;
        Settlement settlement;
        DeadLetters.DeadLetter carried;
        final List<DeadLetters.Operation> operations = new ArrayList<>();

        private Envelope envelope() {
            return envelope != null ? envelope : carried != null ? carried.envelope() : null;
        }

        boolean complete() {
            return carried != null || (envelope != null && settlement != null);
        }

        /** The newest of what was found: a settlement after the carried record (it was replayed and failed again) wins. */
        DeadLetters.DeadLetter record() {
            if (settlement == null || (carried != null && settlement.settledAt() <= carried.deadLetteredAt())) {
                return carried;
            }
            List<DeadLetters.Operation> all = new ArrayList<>(carried == null ? List.of() : carried.operations());
            all.addAll(operations);
            return new DeadLetters.DeadLetter(envelope(), settlement.targets().stream().filter(t -> t.status() == Status.DEAD_LETTERED).toList(),
                    settlement.settledAt(), settlement.transformed(), settlement.mappingVersions(), List.copyOf(all));
        }
    }
}
