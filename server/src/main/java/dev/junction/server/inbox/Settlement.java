package dev.junction.server.inbox;

import java.util.List;

/**
 * How an envelope's delivery ended, for each of its targets. An envelope is settled once, when every target has an outcome.
 *
 * @param messageId the envelope
 * @param targets   one outcome per target
 * @param settledAt epoch milliseconds
 */
public record Settlement(String messageId, List<TargetOutcome> targets, long settledAt) implements CborSerializable {

    /** The end state of one target. */
    public enum Status { DELIVERED, FILTERED, DEAD_LETTERED }

    /**
     * @param target     the target's name
     * @param status     how it ended
     * @param attempts   attempts made (0 when a step ended the envelope before any attempt)
     * @param errorClass the classified last error ({@code http-503}, {@code validate}), empty when delivered
     * @param detail     the last error's message or the rule that filtered it, empty when delivered
     */
    public record TargetOutcome(String target, Status status, int attempts, String errorClass, String detail) implements CborSerializable {}
}
