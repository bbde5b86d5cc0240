package dev.junction.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.junction.server.lookup.LookupMiss;
import dev.junction.server.lookup.MissRule;
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
    // on-lookup-miss = null | dead-letter | { default = ... } is read by hand (LookupUse): its value is a string, null or an object.
    // earlier-versions { 1 = "mappings/order-to-erp.v1.jslt" } is read by hand: its keys are version numbers.
    private static final String EARLIER = VersionedFiles.EARLIER;

    private static final ConfigSpec SPLIT = ConfigSpec.of("Makes one message per element of an array; each goes on alone, with a derived key.",
            ConfigField.string("items").required().description("A JSLT expression giving the array to split.").example(".lines"),
            ConfigField.string("key").description("A JSLT expression on each element giving its part of the derived key; "
                    + "the element's index when absent. The derived key is the original key, '/', and this part.").example(".sku"));

    private static final ConfigSpec FILTER = ConfigSpec.of("Lets the message go on only when a JSLT predicate holds.",
            ConfigField.string("when").required().description("A JSLT expression; the message is filtered when it is false, null, 0 or empty.")
                    .example(".status == \"paid\""));

    /** JSLT's built-in functions whose result is not decided by their input alone. */
    private static final java.util.regex.Pattern IMPURE = java.util.regex.Pattern.compile("\\b(now|random|uuid)\\s*\\(");

    private final Path configDir;
    private final Problems problems;
    private final LookupUse lookups;
    private final EnrichCompiler enrich;

    StepCompiler(Path configDir, Problems problems, LookupUse lookups, java.util.Map<String, SystemSettings> systems) {
        this.enrich = new EnrichCompiler(systems, problems);
        this.configDir = configDir;
        this.problems = problems;
        this.lookups = lookups;
    }

    /** The compiled step, or null after adding its problems. */
    StepSettings compile(ConfigValue value, String path) {
        if (value.valueType() != ConfigValueType.OBJECT || ((ConfigObject) value).size() != 1) {
            problems.at(value, path, "a step is an object with one key: validate { ... }, map { ... }, filter { ... }, split { ... } or enrich { ... }");
            return null;
        }
        Config step = ((ConfigObject) value).toConfig();
        String kind = ((ConfigObject) value).keySet().iterator().next();
        ConfigSpec spec = switch (kind) {
            case "validate" -> VALIDATE;
            case "map" -> MAP;
            case "filter" -> FILTER;
            case "split" -> SPLIT;
            case "enrich" -> EnrichCompiler.ENRICH;
            default -> null;
        };
        if (spec == null) {
            problems.at(step, kind, path + "." + kind, "unknown step (known: validate, map, filter, split, enrich)");
            return null;
        }
        if (step.getValue(kind).valueType() != ConfigValueType.OBJECT) {
            problems.at(step, kind, path + "." + kind, "must be an object");
            return null;
        }
        Config block = step.getConfig(kind);
        if (kind.equals("enrich")) {
            return enrich.compile(block, path + ".enrich");
        }
        List<ConfigProblem> found = spec.validate(block, path + "." + kind, kind.equals("map") ? Set.of(EARLIER, LookupUse.ON_MISS)
                : kind.equals("filter") ? Set.of(LookupUse.ON_MISS) : Set.of());
        problems.addAll(found);
        if (!found.isEmpty()) {
            return null;
        }
        return switch (kind) {
            case "validate" -> validate(block, path + ".validate");
            case "map" -> map(block, path + ".map");
            case "split" -> split(block, path + ".split");
            default -> {
                MissRule rule = lookups.rule(block, path + ".filter");
                Predicate predicate = rule == null ? null : predicate(block, "when", path + ".filter.when", rule);
                yield predicate == null ? null : new StepSettings.Filter(predicate);
            }
        };
    }

    private StepSettings validate(Config block, String path) {
        Path file = file(block, "schema", path + ".schema");
        if (file == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return new StepSettings.Validate(file, LocalSchemas.compile(file, node));
        } catch (JsonProcessingException e) {
            problems.at(block, "schema", path + ".schema", "is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (LocalSchemas.Unresolvable e) {
            problems.at(block, "schema", path + ".schema", e.getMessage());
        } catch (IOException | RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof LocalSchemas.Unresolvable)) {
                cause = cause.getCause();
            }
            problems.at(block, "schema", path + ".schema", cause instanceof LocalSchemas.Unresolvable
                    ? cause.getMessage() : "is not a usable JSON Schema: " + e.getMessage());
        }
        return null;
    }

    private StepSettings map(Config block, String path) {
        int current = block.getInt("version");
        MissRule rule = lookups.rule(block, path);
        if (rule == null) {
            return null;
        }
        java.util.SortedMap<Integer, StepSettings.Mapping> versions = VersionedFiles.read(block, "mapping", current, path, "mapping",
                "mappings/order-to-erp.v1.jslt", problems, (in, key, version, at) -> mapping(in, key, version, at, rule));
        return versions == null ? null : new StepSettings.Map(mappingName(versions.get(current).file()), current, versions);
    }

    /** {@code order-to-erp.v2.jslt} and {@code order-to-erp.jslt} are both the mapping {@code order-to-erp.jslt}. */
    static String mappingName(Path file) {
        return file.getFileName().toString().replaceFirst("\\.v[0-9]+(\\.[^.]*)?$", "$1");
    }

    private StepSettings.Mapping mapping(Config block, String key, int version, String path, MissRule rule) {
        Path file = file(block, key, path);
        if (file == null) {
            return null;
        }
        try {
            String source = Files.readString(file);
            if (!lookups.check(source, block, key, path)) {
                return null;
            }
            Expression expression = new Parser(new java.io.StringReader(source)).withSource(block.getString(key))
                    .withFunctions(lookups.functions(rule)).compile();
            return new StepSettings.Mapping(version, file, expression, !IMPURE.matcher(source).find());
        } catch (JsltException e) {
            problems.at(block, key, path, "does not compile: " + JsltMessages.describe(e));
        } catch (IOException e) {
            problems.at(block, key, path, "cannot be read: " + e.getMessage());
        } catch (LookupMiss e) {
            problems.at(block, key, path, "does not compile: " + e.getMessage());
        }
        return null;
    }

    private StepSettings split(Config block, String path) {
        String items = block.getString("items");
        Expression itemsExpression = expression(block, "items", path + ".items");
        Expression key = block.hasPath("key") ? expression(block, "key", path + ".key") : null;
        if (itemsExpression == null || (block.hasPath("key") && key == null)) {
            return null;
        }
        return new StepSettings.Split(itemsExpression, items, java.util.Optional.ofNullable(key),
                block.hasPath("key") ? block.getString("key") : "");
    }

    private Expression expression(Config block, String key, String path) {
        return compileString(block, key, path, MissRule.DEAD_LETTER);
    }

    /**
     * Compiles the JSLT predicate at {@code block.key}, its lookups giving what {@code rule} says on a miss, or adds a problem
     * and returns null.
     */
    Predicate predicate(Config block, String key, String path, MissRule rule) {
        Expression expression = compileString(block, key, path, rule);
        return expression == null ? null : new Predicate(block.getString(key), expression);
    }

    private Expression compileString(Config block, String key, String path, MissRule rule) {
        String source = block.getString(key);
        if (!lookups.check(source, block, key, path)) {
            return null;
        }
        try {
            return Parser.compileString(source, lookups.functions(rule));
        } catch (JsltException | LookupMiss e) {
            problems.at(block, key, path, "is not a JSLT expression: "
                    + (e instanceof JsltException j ? JsltMessages.describe(j) : e.getMessage()));
            return null;
        }
    }

    private Path file(Config block, String key, String path) {
        Path file = configDir.resolve(block.getString(key)).normalize();
        if (!Files.isRegularFile(file)) {
            problems.at(block, key, path, "file not found: " + file);
            return null;
        }
        return file;
    }
}
