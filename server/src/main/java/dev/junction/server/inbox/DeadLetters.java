package dev.junction.server.inbox;

import dev.junction.server.serialization.CborSerializable;
import dev.junction.server.inbox.Settlement.Attempt;
import dev.junction.server.inbox.Settlement.Status;
import dev.junction.server.inbox.Settlement.TargetOutcome;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A partition's dead letters: envelopes with at least one target that could not be delivered, each with every attempt, the
 * transformed payload and what operators did to it; and the partition's record of replays and discards (who, when, why).
 * Part of the partition's state: changed only by its event handler, so a replay or a discard is as durable as an acceptance.
 */
public final class DeadLetters {
    private static final int AUDIT_KEPT = 1000;

    /**
     * One dead-lettered envelope.
     *
     * @param targets         the outcomes of the targets that dead-lettered (delivered or filtered ones are not here)
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
     */
    public record Query(Set<String> messageIds, String system, String target, String errorClass, Long from, Long to, int limit)
            implements CborSerializable {

        boolean matches(DeadLetter letter, TargetOutcome outcome) {
            return (messageIds == null || messageIds.isEmpty() || messageIds.contains(letter.envelope().messageId()))
                    && (system == null || system.equals(outcome.system()))
                    && (target == null || target.equals(outcome.target()))
                    && (errorClass == null || errorClass.equals(outcome.errorClass()))
                    && (from == null || letter.deadLetteredAt() >= from)
                    && (to == null || letter.deadLetteredAt() < to);
        }
    }

    /** One dead-lettered target of one envelope, as a listing shows it. */
    public record Entry(String messageId, String integration, String idempotencyKey, String target, String system,
                        String errorClass, String detail, int attempts, long receivedAt, long deadLetteredAt)
            implements CborSerializable {}

    /** A listing, newest first; {@code matched} counts every match, also those beyond the limit. */
    public record Page(List<Entry> entries, int matched) implements CborSerializable {}

    /** The answer to a lookup: null when this partition has no such dead letter. */
    public record Found(DeadLetter deadLetter) implements CborSerializable {}

    /** The envelopes (and their targets) an operation took. */
    public record Selected(String messageId, List<String> targets) implements CborSerializable {}

    /** The answer to a replay or a discard. */
    public record Applied(List<Selected> selected) implements CborSerializable {}

    final LinkedHashMap<String, DeadLetter> letters = new LinkedHashMap<>();
    final ArrayDeque<Operation> audit = new ArrayDeque<>();

    /** Records the dead-lettered targets of {@code settlement}, after any earlier ones of the same envelope. */
    void add(Envelope envelope, Settlement settlement, List<Operation> operations) {
        List<TargetOutcome> dead = settlement.targets().stream().filter(t -> t.status() == Status.DEAD_LETTERED).toList();
        if (dead.isEmpty()) {
            return;
        }
        DeadLetter earlier = letters.remove(envelope.messageId());
        List<TargetOutcome> targets = new ArrayList<>();
        if (earlier != null) {
            earlier.targets().stream().filter(t -> dead.stream().noneMatch(d -> d.target().equals(t.target()))).forEach(targets::add);
        }
        targets.addAll(dead);
        letters.put(envelope.messageId(), new DeadLetter(envelope, List.copyOf(targets), settlement.settledAt(),
                settlement.transformed(), settlement.mappingVersions() == null ? List.of() : settlement.mappingVersions(),
                operations));
    }

    /** The envelopes and targets {@code query} selects, oldest first, up to its limit. */
    List<Selected> select(Query query) {
        List<Selected> selected = new ArrayList<>();
        for (DeadLetter letter : letters.values()) {
            List<String> targets = letter.targets().stream().filter(t -> query.matches(letter, t)).map(TargetOutcome::target).toList();
            if (!targets.isEmpty()) {
                selected.add(new Selected(letter.envelope().messageId(), targets));
                if (selected.size() >= query.limit()) {
                    break;
                }
            }
        }
        return selected;
    }

    Page list(Query query, String integration) {
        List<Entry> entries = new ArrayList<>();
        for (DeadLetter letter : letters.values()) {
            for (TargetOutcome t : letter.targets()) {
                if (query.matches(letter, t)) {
                    Envelope e = letter.envelope();
                    entries.add(new Entry(e.messageId(), integration, e.idempotencyKey(), t.target(), t.system(), t.errorClass(),
                            t.detail(), t.attempts(), e.receivedAt(), letter.deadLetteredAt()));
                }
            }
        }
        entries.sort(Comparator.comparingLong(Entry::deadLetteredAt).reversed());
        return new Page(List.copyOf(entries.subList(0, Math.min(entries.size(), query.limit()))), entries.size());
    }

    /**
     * Takes the selected targets out of the dead letters; returns what a replay delivers again (the targets and their earlier
     * attempts), with the operation appended to the envelope's history.
     */
    PendingDelivery replay(Selected selected, Operation operation, MappingChoice mappings) {
        DeadLetter letter = remove(selected, operation);
        Map<String, List<Attempt>> earlier = new LinkedHashMap<>();
        letter.targets().stream().filter(t -> selected.targets().contains(t.target()))
                .forEach(t -> earlier.put(t.target(), t.history() == null ? List.of() : t.history()));
        List<Operation> operations = new ArrayList<>(letter.operations());
        operations.add(operation);
        return new PendingDelivery(letter.envelope(), selected.targets(), earlier, List.copyOf(operations), mappings,
                mappings == MappingChoice.ORIGINAL ? letter.mappingVersions() : List.of());
    }

    void discard(Selected selected, Operation operation) {
        remove(selected, operation);
    }

    void record(Operation operation) {
        audit.addLast(operation);
        while (audit.size() > AUDIT_KEPT) {
            audit.removeFirst();
        }
    }

    private DeadLetter remove(Selected selected, Operation operation) {
        DeadLetter letter = letters.remove(selected.messageId());
        List<TargetOutcome> rest = letter.targets().stream().filter(t -> !selected.targets().contains(t.target())).toList();
        if (!rest.isEmpty()) {
            letters.put(selected.messageId(), new DeadLetter(letter.envelope(), rest, letter.deadLetteredAt(), letter.transformed(),
                    letter.mappingVersions(), letter.operations()));
        }
        record(operation);
        return letter;
    }
}
