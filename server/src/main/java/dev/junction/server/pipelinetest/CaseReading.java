package dev.junction.server.pipelinetest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Typed reads of a case file's values; each mistake becomes a problem with file, line and path, and reading goes on. */
final class CaseReading {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<ConfigProblem> problems = new ArrayList<>();

    void add(ConfigProblem problem) {
        problems.add(problem);
    }

    int count() {
        return problems.size();
    }

    /** Every problem found, by file and line. */
    List<ConfigProblem> problems() {
        return problems.stream().sorted(java.util.Comparator.comparing(ConfigProblem::file).thenComparingInt(ConfigProblem::line)).toList();
    }

    /** {@code <key> = <JSON>} or {@code <key>-file = "<file relative to the test file>"}; empty when neither (or on a problem). */
    Optional<JsonNode> jsonOrFile(Config c, String key, String path, Path dir) {
        boolean inline = c.root().containsKey(key);
        boolean file = c.root().containsKey(key + "-file");
        if (inline && file) {
            problem(c.origin(), path + "." + key, "give " + key + " or " + key + "-file, not both");
            return Optional.empty();
        }
        if (inline) {
            return Optional.ofNullable(json(c.root().get(key), path + "." + key));
        }
        return string(c, key + "-file", path + "." + key + "-file").map(f -> jsonFile(c, key + "-file", path + "." + key + "-file", dir, f));
    }

    JsonNode json(ConfigValue value, String path) {
        try {
            return JSON.readTree(value.render(ConfigRenderOptions.concise()));
        } catch (JsonProcessingException e) {
            add(ConfigProblem.of(value, path, "is not JSON: " + e.getOriginalMessage()));
            return null;
        }
    }

    JsonNode jsonFile(Config c, String key, String path, Path dir, String name) {
        Path file = dir.resolve(name).normalize();
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            add(ConfigProblem.of(c.root().get(key), path, file + " is not JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            add(ConfigProblem.of(c.root().get(key), path, "cannot read " + file + ": " + e));
        }
        return null;
    }

    Optional<String> string(Config c, String key, String path) {
        ConfigValue value = c.root().get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST || value.valueType() == ConfigValueType.NULL) {
            add(ConfigProblem.of(value, path, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(String.valueOf(value.unwrapped()));
    }

    Config object(Config c, String key, String path, boolean required) {
        ConfigValue value = c.root().get(key);
        if (value == null) {
            if (required) {
                problem(c.origin(), path, "is required");
            }
            return null;
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            add(ConfigProblem.of(value, path, "must be an object"));
            return null;
        }
        return ((ConfigObject) value).toConfig();
    }

    List<? extends ConfigObject> objects(Config c, String key, String path) {
        ConfigValue value = c.root().get(key);
        if (value == null) {
            return List.of();
        }
        if (value.valueType() != ConfigValueType.LIST) {
            add(ConfigProblem.of(value, path, "must be a list of objects"));
            return List.of();
        }
        List<ConfigObject> result = new ArrayList<>();
        List<? extends ConfigValue> list = c.getList(key);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).valueType() == ConfigValueType.OBJECT) {
                result.add((ConfigObject) list.get(i));
            } else {
                add(ConfigProblem.of(list.get(i), path + "." + i, "must be an object"));
            }
        }
        return result;
    }

    void unknownKeys(Config c, String prefix, Set<String> known) {
        for (String key : c.root().keySet()) {
            if (!known.contains(key)) {
                add(ConfigProblem.of(c.root().get(key), prefix + key, "unknown setting (known: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")"));
            }
        }
    }

    void problem(com.typesafe.config.ConfigOrigin origin, String path, String reason) {
        add(ConfigProblem.missing(origin, path, reason));
    }
}
