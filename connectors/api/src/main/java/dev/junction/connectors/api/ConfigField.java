package dev.junction.connectors.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One declared setting of a connector: its name, type, default, description, examples and checks. Built fluently:
 * <pre>{@code ConfigField.duration("timeout").defaultValue("10s").description("Per attempt.").check(d -> !d.isNegative(), "must not be negative")}</pre>
 * Immutable once built; every {@code withXxx}-style call returns a new field.
 */
public final class ConfigField {

    /** The value types a field may have. */
    public enum Type { STRING, INT, DECIMAL, BOOLEAN, DURATION, BYTES, ENUM, LIST, OBJECT, MAP }

    private final String name;
    private final Type type;
    private final String description;
    private final boolean required;
    private final Object defaultValue;
    private final List<String> examples;
    private final List<String> allowed;
    private final List<Check> checks;
    private final ConfigSpec nested;

    private record Check(Predicate<Object> test, String reason) {}

    private ConfigField(String name, Type type, String description, boolean required, Object defaultValue,
                        List<String> examples, List<String> allowed, List<Check> checks) {
        this(name, type, description, required, defaultValue, examples, allowed, checks, null);
    }

    private ConfigField(String name, Type type, String description, boolean required, Object defaultValue,
                        List<String> examples, List<String> allowed, List<Check> checks, ConfigSpec nested) {
        this.name = name;
        this.type = type;
        this.description = description;
        this.required = required;
        this.defaultValue = defaultValue;
        this.examples = List.copyOf(examples);
        this.allowed = List.copyOf(allowed);
        this.checks = List.copyOf(checks);
        this.nested = nested;
    }

    private static ConfigField of(String name, Type type) {
        return new ConfigField(name, type, "", false, null, List.of(), List.of(), List.of());
    }

    public static ConfigField string(String name) { return of(name, Type.STRING); }
    public static ConfigField integer(String name) { return of(name, Type.INT); }
    public static ConfigField decimal(String name) { return of(name, Type.DECIMAL); }
    public static ConfigField bool(String name) { return of(name, Type.BOOLEAN); }
    public static ConfigField duration(String name) { return of(name, Type.DURATION); }
    /** A size in bytes: {@code 1m}, {@code 512k}, {@code 1048576}. */
    public static ConfigField bytes(String name) { return of(name, Type.BYTES); }
    /** A list of strings. */
    public static ConfigField stringList(String name) { return of(name, Type.LIST); }
    /**
     * An object whose keys are the user's own names and whose values are strings ({@code columns { order_id = "/orderNumber" }});
     * read as a {@code Map<String, String>} sorted by key. Checks see the whole map.
     */
    public static ConfigField stringMap(String name) { return of(name, Type.MAP); }

    /**
     * A block of settings of its own ({@code declare { durable = true, ... }}), validated against {@code spec}: its problems
     * carry the block's path ({@code ...declare.durable}), and its defaults apply when the block is present.
     */
    public static ConfigField object(String name, ConfigSpec spec) {
        return new ConfigField(name, Type.OBJECT, spec.description(), false, null, List.of(), List.of(), List.of(), spec);
    }

    /** One of a fixed set of strings, compared case-insensitively. */
    public static ConfigField oneOf(String name, String... values) {
        return new ConfigField(name, Type.ENUM, "", false, null, List.of(), List.of(values), List.of());
    }

    public ConfigField description(String text) {
        return new ConfigField(name, type, text, required, defaultValue, examples, allowed, checks, nested);
    }

    public ConfigField required() {
        return new ConfigField(name, type, description, true, defaultValue, examples, allowed, checks, nested);
    }

    /** The value used when the setting is absent, written as it would be in HOCON ({@code "10s"}, {@code 64}, {@code true}). */
    public ConfigField defaultValue(Object value) {
        return new ConfigField(name, type, description, false, value, examples, allowed, checks, nested);
    }

    public ConfigField example(String example) {
        List<String> more = new ArrayList<>(examples);
        more.add(example);
        return new ConfigField(name, type, description, required, defaultValue, more, allowed, checks, nested);
    }

    /**
     * Adds a check on the parsed value ({@link String}, {@link Integer}, {@link Double}, {@link Boolean}, {@link Duration}, {@link Long} bytes,
     * {@code List<String>} or {@code Map<String, String>}); {@code reason} is reported when it fails.
     */
    @SuppressWarnings("unchecked")
    public <T> ConfigField check(Predicate<T> test, String reason) {
        List<Check> more = new ArrayList<>(checks);
        more.add(new Check(v -> test.test((T) v), reason));
        return new ConfigField(name, type, description, required, defaultValue, examples, allowed, more, nested);
    }

    public String name() { return name; }
    public Type type() { return type; }
    public String description() { return description; }
    public boolean isRequired() { return required; }
    public Optional<Object> defaultValue() { return Optional.ofNullable(defaultValue); }
    public List<String> examples() { return examples; }
    public List<String> allowedValues() { return allowed; }
    /** The settings of an {@link Type#OBJECT} field; empty for the others. */
    public Optional<ConfigSpec> nested() { return Optional.ofNullable(nested); }

    /** Checks this field in {@code block} (a connector block); adds a problem to {@code problems} for each mistake. */
    void validate(Config block, String blockPath, List<ConfigProblem> problems) {
        String path = blockPath + "." + name;
        if (!block.hasPathOrNull(name) || block.getIsNull(name)) {
            if (required) {
                problems.add(ConfigProblem.missing(block.origin(), path, "is required (" + typeName() + ")"));
            }
            return;
        }
        if (type == Type.OBJECT) {
            if (block.getValue(name).valueType() != ConfigValueType.OBJECT) {
                problems.add(ConfigProblem.of(block.getValue(name), path, "is not " + typeName()));
            } else {
                problems.addAll(nested.validate(block.getConfig(name), path, java.util.Set.of()));
            }
            return;
        }
        Object parsed;
        try {
            parsed = read(block, name);
        } catch (ConfigException e) {
            problems.add(ConfigProblem.of(block.getValue(name), path, "is not " + typeName()));
            return;
        }
        if (type == Type.ENUM && !allowed.contains(((String) parsed).toUpperCase(Locale.ROOT))
                && !allowed.contains(((String) parsed).toLowerCase(Locale.ROOT)) && !allowed.contains(parsed)) {
            problems.add(ConfigProblem.of(block.getValue(name), path, "must be one of " + String.join(", ", allowed)));
            return;
        }
        for (Check check : checks) {
            if (!check.test().test(parsed)) {
                problems.add(ConfigProblem.of(block.getValue(name), path, check.reason()));
            }
        }
    }

    private Object read(Config block, String key) {
        return switch (type) {
            case STRING, ENUM -> {
                if (block.getValue(key).valueType() == ConfigValueType.OBJECT || block.getValue(key).valueType() == ConfigValueType.LIST) {
                    throw new ConfigException.WrongType(block.origin(), key, "string", block.getValue(key).valueType().name());
                }
                yield block.getString(key);
            }
            case INT -> block.getInt(key);
            case DECIMAL -> block.getDouble(key);
            case BOOLEAN -> block.getBoolean(key);
            case DURATION -> block.getDuration(key);
            case BYTES -> block.getBytes(key);
            case LIST -> block.getStringList(key);
            case OBJECT -> block.getConfig(key);
            case MAP -> {
                if (block.getValue(key).valueType() != ConfigValueType.OBJECT) {
                    throw new ConfigException.WrongType(block.origin(), key, "object", block.getValue(key).valueType().name());
                }
                java.util.Map<String, String> map = new java.util.TreeMap<>();
                for (var entry : block.getObject(key).entrySet()) {
                    ConfigValueType valueType = entry.getValue().valueType();
                    if (valueType == ConfigValueType.OBJECT || valueType == ConfigValueType.LIST || valueType == ConfigValueType.NULL) {
                        throw new ConfigException.WrongType(entry.getValue().origin(), key + "." + entry.getKey(), "string", valueType.name());
                    }
                    map.put(entry.getKey(), String.valueOf(entry.getValue().unwrapped()));
                }
                yield java.util.Collections.unmodifiableMap(map);
            }
        };
    }

    private String typeName() {
        return switch (type) {
            case STRING -> "a string";
            case INT -> "a whole number";
            case DECIMAL -> "a number";
            case BOOLEAN -> "true or false";
            case DURATION -> "a duration such as 500ms, 10s, 5m";
            case BYTES -> "a size such as 512k, 1m";
            case ENUM -> "one of " + String.join(", ", allowed);
            case LIST -> "a list of strings";
            case OBJECT -> "an object { ... }";
            case MAP -> "an object of names to strings { name = \"value\" }";
        };
    }

    /** Reads a typed value after validation; handy for connectors: {@code field.get(settings, Duration.class)}. */
    public <T> T get(Config block, Function<Object, T> cast) {
        return cast.apply(read(block, name));
    }
}
