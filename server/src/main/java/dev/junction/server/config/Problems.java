package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import dev.junction.connectors.api.ConfigProblem;
import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems while the whole configuration is read, so they are all reported at once. */
final class Problems {
    private final List<ConfigProblem> list = new ArrayList<>();

    void add(ConfigProblem problem) {
        list.add(problem);
    }

    void addAll(List<ConfigProblem> problems) {
        list.addAll(problems);
    }

    /** A problem with the value at {@code key} of {@code block}, whose full path is {@code path}. */
    void at(Config block, String key, String path, String reason) {
        list.add(ConfigProblem.of(block.root().get(key), path, reason));
    }

    void at(ConfigValue value, String path, String reason) {
        list.add(ConfigProblem.of(value, path, reason));
    }

    void missing(ConfigOrigin origin, String path, String reason) {
        list.add(ConfigProblem.missing(origin, path, reason));
    }

    /** A parse or resolve failure of the HOCON library, located where it says. */
    void from(ConfigException e, String fallbackFile) {
        ConfigOrigin origin = e.origin();
        String file = origin != null && origin.filename() != null ? origin.filename() : fallbackFile;
        int line = origin != null ? origin.lineNumber() : -1;
        String message = e.getMessage();
        // The library prefixes its message with the origin; the problem carries file and line separately.
        String prefix = origin == null ? null : origin.description() + ": ";
        String reason = prefix != null && message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        list.add(new ConfigProblem(file, line, "", "", reason));
    }

    List<ConfigProblem> list() {
        return List.copyOf(list);
    }

    void throwIfAny() throws InvalidConfigException {
        if (!list.isEmpty()) {
            throw new InvalidConfigException(list);
        }
    }
}
