package dev.junction.server.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.server.config.Predicate;
import java.util.Optional;

/**
 * Whether a target receives a message that passed the steps: its {@code when} predicate, evaluated on the payload. Shared by
 * delivery and by {@code junction-server test}, so a pipeline test predicts the outcome delivery records, rule for rule.
 */
public final class Routing {
    private Routing() {}

    /** What a target's {@code when} decided. */
    public sealed interface Decision {}

    /** The target receives the message. */
    public record Deliver() implements Decision {}

    /** The predicate is false: the target's outcome is FILTERED with this rule, {@code when(<predicate>)}. */
    public record Skip(String rule) implements Decision {}

    /** The predicate could not be evaluated: the target's outcome is DEAD_LETTERED, error class {@code route}. */
    public record Refuse(String detail) implements Decision {}

    public static final String ERROR_CLASS = "route";

    public static Decision decide(Optional<Predicate> when, JsonNode payload) {
        if (when.isEmpty()) {
            return new Deliver();
        }
        Predicate predicate = when.get();
        try {
            return predicate.test(payload) ? new Deliver() : new Skip("when(" + predicate.source() + ")");
        } catch (RuntimeException e) {
            return new Refuse("when(" + predicate.source() + "): " + e.getMessage());
        }
    }
}
