package dev.junction.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.schibsted.spt.data.jslt.Expression;
import com.schibsted.spt.data.jslt.JsltException;
import com.schibsted.spt.data.jslt.Parser;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigField;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.ConfigSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Compiles steps at load time: schemas and mappings are read, parsed and compiled once, and their mistakes are config problems. */
final class StepCompiler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConfigSpec VALIDATE = ConfigSpec.of("Validates the message against a JSON Schema.",
            ConfigField.string("schema").required().description("The schema file, relative to the configuration file.")
                    .example("schemas/order.schema.json"));
    private static final ConfigSpec MAP = ConfigSpec.of("Replaces the message with the output of a JSLT mapping.",
            ConfigField.string("mapping").required().description("The JSLT file, relative to the configuration file.")
                    .example("mappings/order-to-erp.jslt"),
            ConfigField.integer("version").required().check((Integer v) -> v >= 1, "must be 1 or more")
                    .description("The mapping's version, recorded with every message it maps."));

    private static final ConfigSpec FILTER = ConfigSpec.of("Lets the message go on only when a JSLT predicate holds.",
            ConfigField.string("when").required().description("A JSLT expression; the message is filtered when it is false, null, 0 or empty.")
                    .example(".status == \"paid\""));

    private final Path configDir;
    private final Problems problems;

    StepCompiler(Path configDir, Problems problems) {
        this.configDir = configDir;
        this.problems = problems;
    }

    /** The compiled step, or null after adding its problems. */
    StepSettings compile(ConfigValue value, String path) {
        if (value.valueType() != ConfigValueType.OBJECT || ((ConfigObject) value).size() != 1) {
            problems.at(value, path, "a step is an object with one key: validate { ... }, map { ... } or filter { ... }");
            return null;
        }
        Config step = ((ConfigObject) value).toConfig();
        String kind = ((ConfigObject) value).keySet().iterator().next();
        ConfigSpec spec = switch (kind) {
            case "validate" -> VALIDATE;
            case "map" -> MAP;
            case "filter" -> FILTER;
            default -> null;
        };
        if (spec == null) {
            problems.at(step, kind, path + "." + kind, "unknown step (known: validate, map, filter)");
            return null;
        }
        if (step.getValue(kind).valueType() != ConfigValueType.OBJECT) {
            problems.at(step, kind, path + "." + kind, "must be an object");
            return null;
        }
        Config block = step.getConfig(kind);
        List<ConfigProblem> found = spec.validate(block, path + "." + kind, Set.of());
        problems.addAll(found);
        if (!found.isEmpty()) {
            return null;
        }
        return switch (kind) {
            case "validate" -> validate(block, path + ".validate");
            case "map" -> map(block, path + ".map");
            default -> {
                Predicate predicate = predicate(block, "when", path + ".filter.when", problems);
                yield predicate == null ? null : new StepSettings.Filter(predicate);
            }
        };
    }

    private StepSettings validate(Config block, String path) {
        Path file = file(block, "schema", path);
        if (file == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            SpecVersion.VersionFlag version = SpecVersionDetector.detectOptionalVersion(node, false)
                    .orElse(SpecVersion.VersionFlag.V202012);
            JsonSchema schema = JsonSchemaFactory.getInstance(version).getSchema(node);
            schema.initializeValidators();
            return new StepSettings.Validate(file, schema);
        } catch (JsonProcessingException e) {
            problems.at(block, "schema", path + ".schema", "is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException | RuntimeException e) {
            problems.at(block, "schema", path + ".schema", "is not a usable JSON Schema: " + e.getMessage());
        }
        return null;
    }

    private StepSettings map(Config block, String path) {
        Path file = file(block, "mapping", path);
        if (file == null) {
            return null;
        }
        try {
            Expression expression = Parser.compileString(Files.readString(file));
            return new StepSettings.Map(file, block.getInt("version"), expression);
        } catch (JsltException e) {
            problems.at(block, "mapping", path + ".mapping", "does not compile: " + e.getMessage());
        } catch (IOException e) {
            problems.at(block, "mapping", path + ".mapping", "cannot be read: " + e.getMessage());
        }
        return null;
    }

    /** Compiles the JSLT predicate at {@code block.key}, or adds a problem and returns null. */
    static Predicate predicate(Config block, String key, String path, Problems problems) {
        String source = block.getString(key);
        try {
            return new Predicate(source, Parser.compileString(source));
        } catch (JsltException e) {
            problems.at(block, key, path, "is not a JSLT expression: " + e.getMessage());
            return null;
        }
    }

    private Path file(Config block, String key, String path) {
        Path file = configDir.resolve(block.getString(key)).normalize();
        if (!Files.isRegularFile(file)) {
            problems.at(block, key, path + "." + key, "file not found: " + file);
            return null;
        }
        return file;
    }
}
