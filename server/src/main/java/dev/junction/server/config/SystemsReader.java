package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import dev.junction.connectors.api.ConfigProblem;
import dev.junction.connectors.api.Connector;
import dev.junction.server.plugins.ConnectorRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<ConfigProblem> found = new ArrayList<>();
        Config block = object(system, "resilience", path, found);
        if (block == null) {
            problems.addAll(found);
            return null;
        }
        found.addAll(ServerSpecs.RESILIENCE.validate(block, path, Set.of("retry", "circuit-breaker", "rate-limit")));
        Config retry = object(block, "retry", path + ".retry", found);
        Config breaker = object(block, "circuit-breaker", path + ".circuit-breaker", found);
        Config limit = object(block, "rate-limit", path + ".rate-limit", found);
        if (retry != null) {
            found.addAll(ServerSpecs.RETRY.validate(retry, path + ".retry", Set.of()));
        }
        if (breaker != null) {
            found.addAll(ServerSpecs.BREAKER.validate(breaker, path + ".circuit-breaker", Set.of()));
        }
        if (limit != null && block.hasPath("rate-limit")) {
            found.addAll(ServerSpecs.RATE_LIMIT.validate(limit, path + ".rate-limit", Set.of()));
        }
        problems.addAll(found);
        if (!found.isEmpty()) {
            return null;
        }
        Config r = ServerSpecs.RETRY.withDefaults(retry);
        Config b = ServerSpecs.BREAKER.withDefaults(breaker);
        Config all = ServerSpecs.RESILIENCE.withDefaults(block);
        if (r.getDuration("min-backoff").compareTo(r.getDuration("max-backoff")) > 0) {
            problems.at(r, "min-backoff", path + ".retry.min-backoff", "must not be longer than max-backoff");
            return null;
        }
        Optional<ResilienceSettings.RateLimit> rateLimit = Optional.empty();
        if (block.hasPath("rate-limit")) {
            Config l = ServerSpecs.RATE_LIMIT.withDefaults(limit);
            rateLimit = Optional.of(new ResilienceSettings.RateLimit(l.getInt("permits"), l.getDuration("per")));
        }
        return new ResilienceSettings(
                new ResilienceSettings.Retry(r.getInt("max-attempts"), r.getDuration("min-backoff"), r.getDuration("max-backoff"),
                        r.getDouble("random-factor"), r.getDuration("max-age")),
                new ResilienceSettings.Breaker(b.getBoolean("enabled"), b.getInt("max-failures"), b.getDuration("call-timeout"),
                        b.getDuration("reset-timeout"), b.getDuration("max-reset-timeout")),
                rateLimit, all.getInt("max-in-flight"), all.getInt("max-queued"));
    }

    /** The object at {@code key} of {@code parent}, an empty one when absent, null (with a problem) when it is not an object. */
    private static Config object(Config parent, String key, String path, List<ConfigProblem> found) {
        if (!parent.hasPath(key)) {
            return ConfigFactory.empty();
        }
        if (parent.getValue(key).valueType() != ConfigValueType.OBJECT) {
            found.add(ConfigProblem.of(parent.getValue(key), path, "must be an object"));
            return null;
        }
        return parent.getConfig(key);
    }
}
