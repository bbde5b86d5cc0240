package dev.junction.server.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.networknt.schema.ValidationMessage;
import dev.junction.server.config.StepSettings;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An integration's steps, compiled once and shared by every partition: thread-safe and stateless. Runs on the calling thread;
 * it is CPU work only.
 */
public final class Pipeline {
    private static final int MAX_REPORTED_ERRORS = 5;
    private final List<StepSettings> steps;

    public Pipeline(List<StepSettings> steps) {
        this.steps = List.copyOf(steps);
    }

    /** What came out of the steps: the payload for the targets, or why the message cannot go on. */
    public sealed interface Result {}

    /** The message passed every step; {@code mappingVersions} names the version of each map step applied. */
    public record Passed(JsonNode payload, List<String> mappingVersions) implements Result {}

    /** A filter step stopped the message: it ends filtered, with the rule that filtered it. */
    public record Filtered(String step, String rule) implements Result {}

    /** A step refused the message: a permanent failure, the message is dead-lettered with this detail. */
    public record Failed(String step, String errorClass, String detail) implements Result {}

    public Result apply(JsonNode input) {
        JsonNode current = input;
        List<String> versions = new java.util.ArrayList<>();
        for (StepSettings step : steps) {
            if (step instanceof StepSettings.Validate v) {
                Set<ValidationMessage> errors = v.schema().validate(current);
                if (!errors.isEmpty()) {
                    return new Failed(v.label(), "validation", describe(errors));
                }
            } else if (step instanceof StepSettings.Filter f) {
                boolean keep;
                try {
                    keep = f.predicate().test(current);
                } catch (RuntimeException e) {
                    return new Failed(f.label(), "filter", e.getMessage());
                }
                if (!keep) {
                    return new Filtered(f.label(), f.predicate().source());
                }
            } else if (step instanceof StepSettings.Map m) {
                try {
                    current = m.expression().apply(current);
                } catch (RuntimeException e) {
                    return new Failed(m.label(), "mapping", e.getMessage());
                }
                if (current == null || current instanceof NullNode) {
                    return new Failed(m.label(), "mapping", "the mapping produced no output (null)");
                }
                versions.add(m.mappingFile().getFileName() + "@v" + m.version());
            }
        }
        return new Passed(current, List.copyOf(versions));
    }

    /** Each violation with its JSON pointer, e.g. {@code /customer/email: required property 'email' not found}. */
    private static String describe(Set<ValidationMessage> errors) {
        String shown = errors.stream().limit(MAX_REPORTED_ERRORS)
                .map(e -> pointerOf(e) + ": " + (e.getError() != null ? e.getError() : e.getMessage()))
                .collect(Collectors.joining("; "));
        return errors.size() > MAX_REPORTED_ERRORS ? shown + "; and " + (errors.size() - MAX_REPORTED_ERRORS) + " more" : shown;
    }

    /** The JSON pointer of the offending field; for a missing required property, the property itself. */
    private static String pointerOf(ValidationMessage e) {
        String at = e.getInstanceLocation() == null ? "" : jsonPointer(e.getInstanceLocation().toString());
        if ("required".equals(e.getType()) && e.getProperty() != null) {
            at = at + "/" + e.getProperty();
        }
        return at.isEmpty() ? "/" : at;
    }

    /** networknt reports JSONPath-like locations ({@code $.customer.email}); users read JSON pointers. */
    static String jsonPointer(String location) {
        String path = location.startsWith("$") ? location.substring(1) : location;
        return path.replaceAll("\\[(\\d+)]", ".$1").replace('.', '/');
    }
}
