package dev.junction.connectors.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The declared settings of one connector block (a system, a source kind, a sink), as Kafka Connect's {@code ConfigDef} or
 * Benthos' {@code ConfigSpec}: the server validates every block against its spec at load time, collecting every problem, fills
 * in defaults, and serves the spec to users. Immutable.
 * <pre>{@code
 * ConfigSpec.of("Appends each delivered message to a JSON Lines file.",
 *     ConfigField.string("path").required().description("File to append to.").example("out/orders.jsonl"));
 * }</pre>
 */
public final class ConfigSpec {
    private final String description;
    private final Map<String, ConfigField> fields;

    private ConfigSpec(String description, List<ConfigField> fields) {
        this.description = description;
        Map<String, ConfigField> byName = new LinkedHashMap<>();
        for (ConfigField field : fields) {
            if (byName.put(field.name(), field) != null) {
                throw new IllegalArgumentException("field declared twice: " + field.name());
            }
        }
        this.fields = Map.copyOf(byName);
    }

    public static ConfigSpec of(String description, ConfigField... fields) {
        return new ConfigSpec(description, List.of(fields));
    }

    /** A spec with no settings. */
    public static ConfigSpec empty(String description) {
        return new ConfigSpec(description, List.of());
    }

    public String description() {
        return description;
    }

    public List<ConfigField> fields() {
        return fields.values().stream().sorted(java.util.Comparator.comparing(ConfigField::name)).toList();
    }

    /**
     * Every mistake in {@code block}: missing required settings, wrong types, failed checks and unknown keys (keys in
     * {@code ignoredKeys} are the caller's own, such as {@code connector}). {@code blockPath} is the block's full HOCON path.
     */
    public List<ConfigProblem> validate(Config block, String blockPath, java.util.Set<String> ignoredKeys) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (ConfigField field : fields.values()) {
            field.validate(block, blockPath, problems);
        }
        for (String key : block.root().keySet()) {
            if (!fields.containsKey(key) && !ignoredKeys.contains(key)) {
                String known = fields.isEmpty() ? "this block takes no settings" : "known settings: " + String.join(", ", fields.keySet().stream().sorted().toList());
                problems.add(ConfigProblem.of(block.root().get(key), blockPath + "." + key, "unknown setting (" + known + ")"));
            }
        }
        return problems;
    }

    /** {@code block} with the declared defaults filled in where a setting is absent. */
    public Config withDefaults(Config block) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        Config result = block;
        for (ConfigField field : fields.values()) {
            field.defaultValue().ifPresent(v -> defaults.put(field.name(), v));
            if (field.nested().isPresent() && block.hasPath(field.name())) {
                result = result.withValue(field.name(), field.nested().get().withDefaults(block.getConfig(field.name())).root());
            }
        }
        return result.withFallback(ConfigFactory.parseMap(defaults, "defaults of " + description));
    }
}
