package dev.junction.server.pipelinetest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pipeline test: a message for an integration and what should become of it. Read from a file under the integration
 * folder's {@code tests/} by {@link TestFiles}; immutable.
 *
 * @param name        unique among the cases run together: the file's name less its extension, or {@code <file>/<name>}
 * @param file        the file it was read from
 * @param integration the integration the message is sent to
 * @param input       the message
 * @param expect      what should become of it
 */
record TestCase(String name, Path file, String integration, Input input, Expect expect) {

    /**
     * @param json           the body, parsed
     * @param idempotencyKey the key the source would give it (the split elements' keys derive from it)
     */
    record Input(JsonNode json, String idempotencyKey) {}

    /**
     * What should become of a message (or of one element of a split); each part is checked only when given.
     *
     * @param steps   the message after given steps
     * @param targets the outcome per target, by target name
     * @param split   the elements a split step should make, in order, all of them
     */
    record Expect(List<StepOutput> steps, Map<String, TargetResult> targets, Optional<List<Element>> split) {}

    /** The message as it leaves step {@code index} (for validate and filter steps: as it entered, they do not change it). */
    record StepOutput(int index, String label, JsonNode output) {}

    /** One element of a split: its derived idempotency key, its value, and what should become of it from the next step on. */
    record Element(Optional<String> key, Optional<JsonNode> value, Expect expect) {}

    /** The outcome expected at one target. */
    sealed interface TargetResult {
        String outcome();
    }

    /** Delivered; with the payload the target receives, when given. */
    record Delivered(Optional<JsonNode> payload) implements TargetResult {
        public String outcome() {
            return "delivered";
        }
    }

    /** Filtered (by a filter step or the target's {@code when}); the recorded rule contains {@code rule}, when given. */
    record Filtered(Optional<String> rule) implements TargetResult {
        public String outcome() {
            return "filtered";
        }
    }

    /** Dead-lettered with this error class, and a detail containing {@code detail}, when given. */
    record DeadLettered(Optional<String> errorClass, Optional<String> detail) implements TargetResult {
        public String outcome() {
            return "dead-lettered";
        }
    }
}
