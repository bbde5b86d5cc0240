package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.Connector;
import dev.junction.server.plugins.ConnectorRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code junction.systems}: each system's connector, its connector settings and its resilience policy. */
final class SystemsReader {
    private SystemsReader() {}

    static Map<String, SystemSettings> read(Config junction, ConnectorRegistry connectors, Path configDir, Problems problems) {
        Map<String, SystemSettings> systems = new LinkedHashMap<>();
        ConfigLoader.objects(junction, "systems", "junction.systems", problems).forEach((name, block) -> {
            String path = "junction.systems." + name;
            if (!block.hasPath("connector")) {
                problems.missing(block.origin(), path + ".connector", "is required (one of " + String.join(", ", connectors.names()) + ")");
                return;
            }
            String connectorName = block.getValue("connector").unwrapped().toString();
            Optional<Connector> connector = connectors.find(connectorName);
            if (connector.isEmpty()) {
                problems.at(block, "connector", path + ".connector",
                        "unknown connector (available: " + String.join(", ", connectors.names()) + ")");
                return;
            }
            List<ConfigProblem> found = connector.get().systemSpec().validate(block, path, Set.of("connector", "resilience"));
            problems.addAll(found);
            ResilienceSettings resilience = resilience(block, path, problems);
            if (found.isEmpty() && resilience != null) {
                systems.put(name, new SystemSettings(name, connector.get(), connector.get().systemSpec().withDefaults(block), resilience));
            }
        });
        return systems;
    }

    private static ResilienceSettings resilience(Config system, String systemPath, Problems problems) {
        String path = systemPath + ".resilience";
        Config block = com.typesafe.config.ConfigFactory.empty();
        if (system.hasPath("resilience")) {
            if (system.getValue("resilience").valueType() != ConfigValueType.OBJECT) {
                problems.at(system, "resilience", path, "must be an object");
                return null;
            }
            block = system.getConfig("resilience");
        }
        List<ConfigProblem> found = new java.util.ArrayList<>(ServerSpecs.RESILIENCE.validate(block, path, Set.of("retry")));
        Config retry = com.typesafe.config.ConfigFactory.empty();
        if (block.hasPath("retry")) {
            if (block.getValue("retry").valueType() != ConfigValueType.OBJECT) {
                found.add(ConfigProblem.of(block.getValue("retry"), path + ".retry", "must be an object"));
            } else {
                retry = block.getConfig("retry");
                found.addAll(ServerSpecs.RETRY.validate(retry, path + ".retry", Set.of()));
            }
        }
        problems.addAll(found);
        if (!found.isEmpty()) {
            return null;
        }
        Config r = ServerSpecs.RETRY.withDefaults(retry);
        Config b = ServerSpecs.RESILIENCE.withDefaults(block);
        if (r.getDuration("min-backoff").compareTo(r.getDuration("max-backoff")) > 0) {
            problems.at(r, "min-backoff", path + ".retry.min-backoff", "must not be longer than max-backoff");
            return null;
        }
        return new ResilienceSettings(r.getInt("max-attempts"), r.getDuration("min-backoff"), r.getDuration("max-backoff"),
                r.getDouble("random-factor"), b.getInt("max-in-flight"));
    }
}
