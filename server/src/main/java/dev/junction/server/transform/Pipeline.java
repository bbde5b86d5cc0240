package dev.junction.server.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.networknt.schema.ValidationMessage;
import com.schibsted.spt.data.jslt.JsltException;
import dev.junction.server.config.JsltMessages;
import dev.junction.server.config.StepSettings;
import dev.junction.server.lookup.LookupMiss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An integration's steps, compiled once and shared by every partition: thread-safe and stateless. Runs on the calling thread;
 * it is CPU work only: at an enrich step, which reads a system, it stops and says so ({@link Paused}).
 */
public final class Pipeline {
    private static final int MAX_REPORTED_ERRORS = 5;
    /** The error class of a message dead-lettered because a lookup table had no row for its key. */
    public static final String LOOKUP_MISS = "lookup-miss";
    private final List<StepSettings> steps;

    public Pipeline(List<StepSettings> steps) {
        this.steps = List.copyOf(steps);
    }

    /** What came out of the steps: the payload for the targets, the elements of a split, or why the message cannot go on. */
    public sealed interface Result {
        /** What each step did, in order, up to where the message stopped. */
        List<Trace> traces();

        /** The tag of each map step applied ({@code order-to-erp.jslt@v2}). */
        default List<String> mappingVersions() {
            return traces().stream().map(Trace::version).filter(v -> !v.isEmpty()).toList();
        }
    }

    /**
     * One step applied to one message.
     *
     * @param index   the step's position in the integration, from 0
     * @param step    its label, e.g. {@code map(order-to-erp.jslt v2)}
     * @param version for a map step, the tag of the version applied; else empty
     * @param output  for a map step, what it produced; else null (validate and filter do not change the message)
     * @param record  the output must be recorded: the mapping is not deterministic, so it cannot be recomputed later
     */
    public record Trace(int index, String step, String version, JsonNode output, boolean record) {}

    /** The message passed every step. */
    public record Passed(JsonNode payload, List<Trace> traces) implements Result {}

    /** A filter step stopped the message: it ends filtered, with the rule that filtered it. */
    public record Filtered(String step, String rule, List<Trace> traces) implements Result {}

    /** A step refused the message: a permanent failure, the message is dead-lettered with this detail. */
    public record Failed(String step, String errorClass, String detail, List<Trace> traces) implements Result {}

    /**
     * A split step made one message per element: each goes on from {@code nextStep} on its own.
     *
     * @param items the elements, each with its part of the derived key, distinct within the message
     */
    public record Split(String step, int nextStep, List<Item> items, List<Trace> traces) implements Result {}

    /**
     * The message reached an enrich step: it waits for the system's answer, then goes on from {@code index + 1} (the
     * caller reads the system, asynchronously, and calls {@link #apply} again with the enriched message).
     */
    public record Paused(int index, StepSettings.Enrich step, JsonNode message, List<Trace> traces) implements Result {}

    /** One element of a split: {@code keyPart} follows the original key and a slash in the element's idempotency key. */
    public record Item(String keyPart, JsonNode value) {}

    public int size() {
        return steps.size();
    }

    /** The steps, in order. */
    public List<StepSettings> steps() {
        return steps;
    }

    /** Runs every step with the current mapping versions. */
    public Result apply(JsonNode input) {
        return apply(input, 0, Map.of());
    }

    /**
     * Runs the steps from {@code fromStep} (after a split, its elements go on from the next step).
     *
     * @param pinned the version to use for a mapping, by mapping name; absent mappings use their current version
     */
    public Result apply(JsonNode input, int fromStep, Map<String, Integer> pinned) {
        return apply(input, fromStep, pinned, List.of());
    }

    /** Runs the steps from {@code fromStep}, after the steps that made {@code earlier} (before an enrich step's pause). */
    public Result apply(JsonNode input, int fromStep, Map<String, Integer> pinned, List<Trace> earlier) {
        JsonNode current = input;
        List<Trace> traces = new ArrayList<>(earlier);
        for (int i = fromStep; i < steps.size(); i++) {
            StepSettings step = steps.get(i);
            if (step instanceof StepSettings.Validate v) {
                Set<ValidationMessage> errors = v.schema().validate(current);
                if (!errors.isEmpty()) {
                    return new Failed(v.label(), "validation", describe(errors), traces);
                }
                traces.add(new Trace(i, v.label(), "", null, false));
            } else if (step instanceof StepSettings.Filter f) {
                boolean keep;
                try {
                    keep = f.predicate().test(current);
                } catch (RuntimeException e) {
                    return new Failed(f.label(), errorClass(e, "filter"), message(e), traces);
                }
                traces.add(new Trace(i, f.label(), "", null, false));
                if (!keep) {
                    return new Filtered(f.label(), f.predicate().source(), traces);
                }
            } else if (step instanceof StepSettings.Map m) {
                int version = pinned.getOrDefault(m.name(), m.version());
                StepSettings.Mapping mapping = m.versions().get(version);
                String label = "map(" + m.name() + " v" + version + ")";
                if (mapping == null) {
                    return new Failed(label, "mapping-version", "version " + version + " of " + m.name()
                            + " is not configured (configured: " + m.versions().keySet() + "; keep old files under earlier-versions)", traces);
                }
                try {
                    current = mapping.expression().apply(current);
                } catch (RuntimeException e) {
                    return new Failed(label, errorClass(e, "mapping"), message(e), traces);
                }
                if (current == null || current instanceof NullNode || current.isMissingNode()) {
                    return new Failed(label, "mapping", "the mapping produced no output (null)", traces);
                }
                traces.add(new Trace(i, label, m.tag(version), current, !mapping.deterministic()));
            } else if (step instanceof StepSettings.Split sp) {
                return split(sp, i, current, traces);
            } else if (step instanceof StepSettings.Enrich e) {
                return new Paused(i, e, current, traces);
            }
        }
        return new Passed(current, traces);
    }

    private static Result split(StepSettings.Split sp, int index, JsonNode current, List<Trace> traces) {
        JsonNode array;
        try {
            array = sp.items().apply(current);
        } catch (RuntimeException e) {
            return new Failed(sp.label(), "split", message(e), traces);
        }
        if (array == null || !array.isArray()) {
            String found = array == null || array.isNull() || array.isMissingNode() ? "nothing (null or missing)" : "a " + array.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
            return new Failed(sp.label(), "split", sp.itemsSource() + " must give an array; it gave " + found, traces);
        }
        List<Item> items = new ArrayList<>(array.size());
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (int n = 0; n < array.size(); n++) {
            JsonNode element = array.get(n);
            String part;
            if (sp.key().isEmpty()) {
                part = String.valueOf(n);
            } else {
                JsonNode key;
                try {
                    key = sp.key().get().apply(element);
                } catch (RuntimeException e) {
                    return new Failed(sp.label(), "split", "key " + sp.keySource() + " of element /" + n + ": " + message(e), traces);
                }
                if (key == null || !(key.isTextual() || key.isIntegralNumber()) || key.asText().isEmpty()) {
                    return new Failed(sp.label(), "split", "key " + sp.keySource() + " of element /" + n
                            + " must be a non-empty string or an integer; it is " + (key == null || key.isMissingNode() ? "missing" : key.toString()), traces);
                }
                part = key.asText();
            }
            Integer earlier = seen.putIfAbsent(part, n);
            if (earlier != null) {
                return new Failed(sp.label(), "split", "elements /" + earlier + " and /" + n + " have the same key '" + part
                        + "': their derived idempotency keys would collide and one would be dropped as a duplicate", traces);
            }
            items.add(new Item(part, element));
        }
        traces.add(new Trace(index, sp.label(), "", null, false));
        return new Split(sp.label(), index + 1, List.copyOf(items), traces);
    }

    /** {@value #LOOKUP_MISS} for a lookup that found no row under the rule {@code dead-letter}, else {@code otherwise}. */
    private static String errorClass(RuntimeException e, String otherwise) {
        return e instanceof LookupMiss ? LOOKUP_MISS : otherwise;
    }

    private static String message(RuntimeException e) {
        return e instanceof JsltException jslt ? JsltMessages.describe(jslt) : String.valueOf(e.getMessage());
    }

    /** Each violation with its JSON pointer, e.g. {@code /customer/email: required property 'email' not found}. */
    private static String describe(Set<ValidationMessage> errors) {
        return describe(errors, false);
    }

    /**
     * Each violation with its JSON pointer and, {@code withRule}, the schema rule it broke
     * ({@code /total [type]: string found, number expected}); the first five, then how many more.
     */
    public static String describe(Set<ValidationMessage> errors, boolean withRule) {
        String shown = errors.stream().limit(MAX_REPORTED_ERRORS)
                .map(e -> pointerOf(e) + (withRule ? " [" + e.getType() + "]" : "") + ": "
                        + (e.getError() != null ? e.getError() : e.getMessage()))
                .collect(Collectors.joining("; "));
        return errors.size() > MAX_REPORTED_ERRORS ? shown + "; and " + (errors.size() - MAX_REPORTED_ERRORS) + " more" : shown;
    }

    /** The JSON pointer of the offending field; for a missing required property, the property itself. */
    public static String pointerOf(ValidationMessage e) {
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
