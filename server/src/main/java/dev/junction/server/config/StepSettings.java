package dev.junction.server.config;

import com.networknt.schema.JsonSchema;
import com.schibsted.spt.data.jslt.Expression;
import java.nio.file.Path;

/** One step of an integration, compiled at load time so a bad schema or mapping is a configuration error, not a runtime one. */
public sealed interface StepSettings {

    /** A short label for errors and outcomes: {@code validate(schemas/order.schema.json)}. */
    String label();

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

    /** {@code map { mapping = "...", version = N }}: the message is replaced by the JSLT mapping's output. */
    record Map(Path mappingFile, int version, Expression expression) implements StepSettings {
        @Override
        public String label() {
            return "map(" + mappingFile.getFileName() + " v" + version + ")";
        }
    }
}
