package dev.junction.server.inbox;

import dev.junction.server.inbox.Settlement.Status;
import dev.junction.server.inbox.Settlement.TargetOutcome;
import dev.junction.server.serialization.CborSerializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A partition's dead letters: envelopes with at least one target that could not be delivered, and the partition's record of
 * replays and discards (who, when, why). Memory holds a small {@link Letter} per dead letter (what a listing shows and where its
 * full record is in the journal), never its payload or its attempts: those are read from the journal when an operator opens
 * or replays it ({@link DeadLetterRecords}). Part of the partition's state: changed only by its event handler, so a replay or a
 * discard is as durable as an acceptance.
 */
public final class DeadLetters {
    private static final int AUDIT_KEPT = 1000;
    /** A target's last error as a listing shows it; the whole error is in the journal. */
    private static final int DETAIL_KEPT = 300;
    /** Newest first; ties by message id, so a cursor is a position. */
    private static final Comparator<Letter> NEWEST_FIRST = Comparator.comparingLong(Letter::deadLetteredAt).reversed()
            .thenComparing(Letter::messageId, Comparator.reverseOrder());

    /**
     * One dead-lettered envelope as memory keeps it.
     *
     * @param targets       its dead-lettered targets, each with its last error
     * @param acceptedSeqNr where in the partition's journal its envelope is (a lower bound: read forward from there)
     * @param settledSeqNr  where the settlement that dead-lettered it is (a lower bound, as above)
     */
    public record Letter(String messageId, String idempotencyKey, long receivedAt, long deadLetteredAt, List<Target> targets,
                         long acceptedSeqNr, long settledSeqNr) implements CborSerializable {}

    /** One dead-lettered target of a letter: its last error, shortened. */
    public record Target(String target, String system, String errorClass, String detail, int attempts) implements CborSerializable {}

    /**
     * One dead letter in full, as read from the journal (and as snapshots written before dead letters were compact hold it).
     *
     * @param targets         the outcomes of the targets that dead-lettered, with every attempt
     * @param deadLetteredAt  epoch milliseconds of the last dead letter
     * @param transformed     the payload after the steps, JSON text; null when a step failed
     * @param mappingVersions the map steps' versions that produced it
     * @param operations      earlier replays of this envelope
     */
    public record DeadLetter(Envelope envelope, List<TargetOutcome> targets, long deadLetteredAt, String transformed,
                             List<String> mappingVersions, List<Operation> operations) implements CborSerializable {}

    /**
     * What an operator did: {@code action} is replayed, discarded or reprocessed; {@code detail} says how (the mapping versions
     * of a replay, the copy and revision of a reprocessing).
     */
    public record Operation(String action, String messageId, String idempotencyKey, List<String> targets, String by,
                            String reason, long at, String detail) implements CborSerializable {

        public Operation {
            detail = detail == null ? "" : detail;
        }
    }

    /**
     * Which dead letters an operation or a listing means; null or empty fields match everything.
     *
     * @param messageIds only these envelopes (a set: a bulk operation names up to the listing's limit, checked per dead letter)
     * @param system     only targets of this system
     * @param target     only this target
     * @param errorClass only targets whose last error has this class
     * @param from       dead-lettered at or after (epoch ms)
     * @param to         dead-lettered before (epoch ms)
     * @param limit      at most this many entries
     * @param after      for a listing: only entries after this cursor (newest first), null for the first page
     */
    public record Query(Set<String> messageIds, String system, String target, String errorClass, Long from, Long to, int limit,
                        Cursor after) implements CborSerializable {

        public Query(Set<String> messageIds, String system, String target, String errorClass, Long from, Long to, int limit) {
            this(messageIds, system, target, errorClass, from, to, limit, null);
        }

        boolean matches(Letter letter, Target outcome) {
            return (messageIds == null || messageIds.isEmpty() || messageIds.contains(letter.messageId()))
                    && (system == null || system.equals(outcome.system()))
                    && (target == null || target.equals(outcome.target()))
                    && (errorClass == null || errorClass.equals(outcome.errorClass()))
                    && (from == null || letter.deadLetteredAt() >= from)
                    && (to == null || letter.deadLetteredAt() < to);
        }

        Query withIds(Set<String> ids, int newLimit) {
            return new Query(ids, system, target, errorClass, from, to, newLimit, null);
        }

        /** The same filter with another limit, from the first page. */
        public Query withLimit(int newLimit) {
            return new Query(messageIds, system, target, errorClass, from, to, newLimit, null);
        }
    }

    /** A position in a listing, newest first: the last entry of a page. */
    public record Cursor(long deadLetteredAt, String messageId, String target) implements CborSerializable {

        /** True when {@code entry} comes after this position. */
        boolean before(Entry entry) {
            if (entry.deadLetteredAt() != deadLetteredAt) {
                return entry.deadLetteredAt() < deadLetteredAt;
            }
            int byId = entry.messageId().compareTo(messageId);
            return byId != 0 ? byId < 0 : entry.target().compareTo(target) > 0;
        }
    }

    /** One dead-lettered target of one envelope, as a listing shows it. */
    public record Entry(String messageId, String integration, String idempotencyKey, String target, String system,
                        String errorClass, String detail, int attempts, long receivedAt, long deadLetteredAt)
            implements CborSerializable {

        Cursor cursor() {
            return new Cursor(deadLetteredAt, messageId, target);
        }

        /** The listing's order: newest first, then by message id (descending) and target. */
        static final Comparator<Entry> ORDER = Comparator.comparingLong(Entry::deadLetteredAt).reversed()
                .thenComparing(Entry::messageId, Comparator.reverseOrder()).thenComparing(Entry::target);
    }

    /** A listing, newest first; {@code matched} counts every match, also those beyond the limit. */
    public record Page(List<Entry> entries, int matched) implements CborSerializable {}

    /** The answer to a lookup: null when this partition has no such dead letter; else the letter and its partition. */
    public record Found(Letter letter, String persistenceId) implements CborSerializable {}

    /** The envelopes (and their targets) an operation took. */
    public record Selected(String messageId, List<String> targets) implements CborSerializable {}

    /** The answer to a replay or a discard. */
    public record Applied(List<Selected> selected) implements CborSerializable {}

    final LinkedHashMap<String, Letter> letters = new LinkedHashMap<>();
    private final TreeSet<Letter> newestFirst = new TreeSet<>(NEWEST_FIRST);
    final ArrayDeque<Operation> audit = new ArrayDeque<>();

    /** Records the dead-lettered targets of {@code settlement} of {@code pending}, beside earlier ones of the same envelope. */
    void add(PendingDelivery pending, Settlement settlement, long settledSeqNr) {
        List<Target> dead = settlement.targets().stream().filter(t -> t.status() == Status.DEAD_LETTERED)
                .map(t -> new Target(t.target(), t.system(), t.errorClass(), shortened(t.detail()), t.attempts())).toList();
        if (dead.isEmpty()) {
            return;
        }
        Envelope envelope = pending.envelope();
        Letter earlier = remove(envelope.messageId());
        List<Target> targets = new ArrayList<>();
        if (earlier != null) {
            earlier.targets().stream().filter(t -> dead.stream().noneMatch(d -> d.target().equals(t.target()))).forEach(targets::add);
        }
        targets.addAll(dead);
        put(new Letter(envelope.messageId(), envelope.idempotencyKey(), envelope.receivedAt(), settlement.settledAt(),
                List.copyOf(targets), pending.acceptedSeqNr(), settledSeqNr));
    }

    /** A letter as it was (a snapshot), or carried. */
    void put(Letter letter) {
        letters.put(letter.messageId(), letter);
        newestFirst.add(letter);
    }

    private Letter remove(String messageId) {
        Letter letter = letters.remove(messageId);
        if (letter != null) {
            newestFirst.remove(letter);
        }
        return letter;
    }

    /** The envelopes and targets {@code query} selects, oldest first, up to its limit, leaving out {@code busy} ones. */
    List<Selected> select(Query query, Set<String> busy) {
        List<Selected> selected = new ArrayList<>();
        for (Letter letter : letters.values()) {
            if (busy.contains(letter.messageId())) {
                continue;
            }
            List<String> targets = letter.targets().stream().filter(t -> query.matches(letter, t)).map(Target::target).toList();
            if (!targets.isEmpty()) {
                selected.add(new Selected(letter.messageId(), targets));
                if (selected.size() >= query.limit()) {
                    break;
                }
            }
        }
        return selected;
    }

    /** The error class of a message parked behind a dead letter of its partition key (per-key ordering). */
    public static final String PARKED = "parked";

    /**
     * A page of the listing, newest first from {@code query.after()}, and how many match in all. Messages parked behind a dead
     * letter of their partition key are listed too, with error class {@link #PARKED}, target {@code *} (they wait for every
     * target) and the detail {@code parked behind <message id>}; they are not dead letters themselves, so no operation selects
     * them: replaying or discarding their head releases them, in order.
     */
    Page list(Query query, String integration, ParkedKeys parked) {
        Page letters = list(query, integration);
        List<Entry> entries = new ArrayList<>(letters.entries());
        int matched = letters.matched();
        for (ParkedKeys.Parked key : parked.copy()) {
            String detail = "parked behind " + key.head() + " (partition key " + key.partitionKey() + ")";
            for (PendingDelivery follower : key.followers()) {
                Envelope e = follower.envelope();
                Letter letter = new Letter(e.messageId(), e.idempotencyKey(), e.receivedAt(), key.parkedAt(), List.of(), 0, 0);
                Target target = new Target("*", "", PARKED, detail, 0);
                if (!query.matches(letter, target)) {
                    continue;
                }
                matched++;
                Entry entry = new Entry(e.messageId(), integration, e.idempotencyKey(), target.target(), "", PARKED, detail, 0,
                        e.receivedAt(), key.parkedAt());
                if (query.after() == null || query.after().before(entry)) {
                    entries.add(entry);
                }
            }
        }
        entries.sort(Entry.ORDER);
        return new Page(List.copyOf(entries.subList(0, Math.min(entries.size(), query.limit()))), matched);
    }

    private Page list(Query query, String integration) {
        List<Entry> entries = new ArrayList<>();
        int matched = 0;
        for (Letter letter : newestFirst) {
            for (Target t : letter.targets().stream().sorted(Comparator.comparing(Target::target)).toList()) {
                if (!query.matches(letter, t)) {
                    continue;
                }
                matched++;
                Entry entry = new Entry(letter.messageId(), integration, letter.idempotencyKey(), t.target(), t.system(),
                        t.errorClass(), t.detail(), t.attempts(), letter.receivedAt(), letter.deadLetteredAt());
                if (entries.size() < query.limit() && (query.after() == null || query.after().before(entry))) {
                    entries.add(entry);
                }
            }
        }
        entries.sort(Entry.ORDER);
        return new Page(List.copyOf(entries), matched);
    }

    /** Takes the selected targets out of the dead letters (a replay delivers them again). */
    void replayed(Selected selected, Operation operation) {
        take(selected, operation);
    }

    void discard(Selected selected, Operation operation) {
        take(selected, operation);
    }

    void record(Operation operation) {
        audit.addLast(operation);
        while (audit.size() > AUDIT_KEPT) {
            audit.removeFirst();
        }
    }

    private void take(Selected selected, Operation operation) {
        Letter letter = remove(selected.messageId());
        if (letter == null) {
            return;
        }
        List<Target> rest = letter.targets().stream().filter(t -> !selected.targets().contains(t.target())).toList();
        if (!rest.isEmpty()) {
            put(new Letter(letter.messageId(), letter.idempotencyKey(), letter.receivedAt(), letter.deadLetteredAt(), rest,
                    letter.acceptedSeqNr(), letter.settledSeqNr()));
        }
        record(operation);
    }

    /** A letter kept from a full record (a snapshot written before dead letters were compact): its position is unknown (0). */
    static Letter letterOf(DeadLetter record) {
        Envelope e = record.envelope();
        return new Letter(e.messageId(), e.idempotencyKey(), e.receivedAt(), record.deadLetteredAt(), record.targets().stream()
                .map(t -> new Target(t.target(), t.system(), t.errorClass(), shortened(t.detail()), t.attempts())).toList(), 0, 0);
    }

    private static String shortened(String detail) {
        return detail == null || detail.length() <= DETAIL_KEPT ? detail : detail.substring(0, DETAIL_KEPT - 1) + "…";
    }
}
