package dev.junction.server.config;

import com.networknt.schema.JsonSchema;
import com.schibsted.spt.data.jslt.Expression;
import java.nio.file.Path;

/** One step of an integration, compiled at load time so a bad schema or mapping is a configuration error, not a runtime one. */
public sealed interface StepSettings {

    /** A short label for errors and outcomes: {@code validate(schemas/order.schema.json)}. */
    String label();

    /**
     * The version tag of each map step among {@code steps} ({@code order-to-erp.jslt@v2}): the version pinned for its mapping
     * where there is one, else its current version.
     */
    static java.util.List<String> mappingTags(java.util.List<StepSettings> steps, java.util.Map<String, Integer> pinned) {
        return steps.stream().filter(Map.class::isInstance).map(Map.class::cast)
                .map(m -> m.tag(pinned.getOrDefault(m.name(), m.version()))).toList();
    }

    /** {@code validate { schema = "..." }}: the message must satisfy a JSON Schema (2020-12 unless the schema says otherwise). */
    record Validate(Path schemaFile, JsonSchema schema) implements StepSettings {
        @Override
        public String label() {
            return "validate(" + schemaFile.getFileName() + ")";
        }
    }

    /** {@code filter { when = "<JSLT predicate>" }}: the message goes on only when the predicate holds; else it ends filtered. */
    record Filter(Predicate predicate) implements StepSettings {
        @Override
        public String label() {
            return "filter(" + predicate.source() + ")";
        }
    }

    /**
     * {@code map { mapping = "...", version = N, earlier-versions { 1 = "..." } }}: the message is replaced by the JSLT mapping's
     * output. Every version named stays compiled, so a replay can use the version a message was first mapped with.
     *
     * @param name     the mapping's name, stable across versions: the file name less any {@code .v<N>} ({@code order-to-erp.jslt})
     * @param version  the current version, used for new messages
     * @param versions every configured version, the current one included
     */
    record Map(String name, int version, java.util.SortedMap<Integer, Mapping> versions) implements StepSettings {
        public Map {
            versions = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(versions));
        }

        @Override
        public String label() {
            return "map(" + name + " v" + version + ")";
        }

        /** The current version's mapping. */
        public Mapping current() {
            return versions.get(version);
        }

        /** How an envelope records the version that mapped it: {@code order-to-erp.jslt@v2}. */
        public String tag(int v) {
            return name + "@v" + v;
        }
    }

    /**
     * One version of a mapping: its file and the compiled expression.
     *
     * @param deterministic false when it calls JSLT's {@code now()}, {@code random()} or {@code uuid()}: running it again on the
     *                      same input may give another output, so its output is recorded with each message rather than
     *                      recomputed for the lineage
     */
    record Mapping(int version, Path file, Expression expression, boolean deterministic) {}

    /**
     * {@code split { items = ".lines", key = ".sku" }}: one message with an array becomes one message per element, each going
     * through the rest of the steps on its own. Each gets a derived, stable idempotency key: the original key, a slash, and
     * the element's {@code key} (its index when there is no {@code key} expression).
     */
    record Split(Expression items, String itemsSource, java.util.Optional<Expression> key, String keySource) implements StepSettings {
        @Override
        public String label() {
            return "split(" + itemsSource + ")";
        }
    }

    /**
     * {@code enrich { system = inventory, http { method = GET, path = "/stock/{/lines/0/sku}" }, into = "/stock", ... }}: reads
     * a resource of a system, through that system's gates, and puts the answer into the message at {@code into}. Answers are
     * cached per node for {@code ttl}. With {@code for-each = "/lines"} it reads once per element of that array: the path's
     * pointers and {@code into} are then relative to the element, and without {@code into} the answer's fields are merged
     * into the element.
     *
     * @param system           the system read
     * @param path             the path read, with the message's (or the element's) values in it
     * @param into             the JSON pointer the answer is put at (its parent must be an object); empty (only with
     *                         {@code forEach}): the answer's fields are merged into the element
     * @param ttl              how long an answer is reused
     * @param maxEntries       the most answers kept
     * @param deadLetterMissing a 404 dead-letters the message; otherwise {@code into} is set to null (an element is left as it is)
     * @param forEach          the array whose every element is enriched; null: the message itself is
     */
    record Enrich(String system, PathTemplate path, com.fasterxml.jackson.core.JsonPointer into, java.time.Duration ttl,
                  long maxEntries, boolean deadLetterMissing, com.fasterxml.jackson.core.JsonPointer forEach) implements StepSettings {
        @Override
        public String label() {
            return "enrich(" + system + " GET " + path.source() + (forEach == null ? "" : " for-each " + forEach) + ")";
        }
    }
}
