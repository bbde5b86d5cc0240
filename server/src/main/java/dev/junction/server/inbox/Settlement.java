package dev.junction.server.inbox;

import dev.junction.server.serialization.CborSerializable;
import java.util.List;

/**
 * How an envelope's delivery ended, for each of the targets it was delivered to. An envelope is settled once per delivery
 * (again after a replay of its dead letters), when every target has an outcome.
 *
 * @param messageId       the envelope
 * @param targets         one outcome per target
 * @param settledAt       epoch milliseconds
 * @param transformed     the payload after the steps, as JSON text; kept only when a target dead-lettered, else null
 * @param mappingVersions the version of each map step that produced {@code transformed}
 * @param steps           what each step did, with the output of each map step: the message's lineage
 * @param revision        the revision of the integration it went through
 * @param children        after a split step, the message ids of its elements, which are messages of their own
 * @param lookups         the version of each lookup table the revision's steps name ({@code store-accounts@3f2a1b0c9d8e})
 */
public record Settlement(String messageId, List<TargetOutcome> targets, long settledAt, String transformed,
                         List<String> mappingVersions, List<Step> steps, String revision, List<String> children,
                         List<String> lookups)
        implements CborSerializable {

    public Settlement(String messageId, List<TargetOutcome> targets, long settledAt) {
        this(messageId, targets, settledAt, null, List.of(), List.of(), "", List.of(), List.of());
    }

    /** Events written before lineage was recorded lack the newer fields. */
    public Settlement {
        mappingVersions = mappingVersions == null ? List.of() : mappingVersions;
        steps = steps == null ? List.of() : steps;
        revision = revision == null ? "" : revision;
        children = children == null ? List.of() : children;
        lookups = lookups == null ? List.of() : lookups;
    }

    /**
     * One step applied to the message.
     *
     * @param index   the step's position in the integration, from 0
     * @param step    its label, e.g. {@code map(order-to-erp.jslt v2)}
     * @param version for a map step, the version applied ({@code order-to-erp.jslt@v2}); else empty
     * @param output  for a map step, its output as JSON text; else empty (validate and filter do not change the message)
     */
    public record Step(int index, String step, String version, String output) implements CborSerializable {}

    public boolean anyDeadLettered() {
        return targets.stream().anyMatch(t -> t.status() == Status.DEAD_LETTERED);
    }

    /** The end state of one target. */
    public enum Status { DELIVERED, FILTERED, DEAD_LETTERED }

    /**
     * @param target     the target's name
     * @param system     the system it delivers to
     * @param status     how it ended
     * @param attempts   attempts made (0 when a step ended the envelope before any attempt)
     * @param errorClass the classified last error ({@code http-503}, {@code validation}), empty when delivered
     * @param detail     the last error's message or the rule that filtered it, empty when delivered
     * @param history    every attempt, oldest first
     */
    public record TargetOutcome(String target, String system, Status status, int attempts, String errorClass, String detail,
                                List<Attempt> history) implements CborSerializable {}

    /**
     * One attempt at a target.
     *
     * @param number     1-based, counted across replays
     * @param at         when it started, epoch milliseconds
     * @param millis     how long it took
     * @param errorClass empty when the target confirmed it
     * @param detail     the error's message, empty when confirmed
     */
    public record Attempt(int number, long at, long millis, String errorClass, String detail) implements CborSerializable {}
}
