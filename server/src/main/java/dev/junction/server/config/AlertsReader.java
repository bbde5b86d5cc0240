package dev.junction.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Reads {@code junction.alerts} and each integration's {@code monitoring} block over {@code junction.monitoring-defaults}. */
final class AlertsReader {
    private AlertsReader() {}

    static AlertSettings read(Config junction, Set<String> integrations, boolean notifies, Problems problems) {
        Config alerts = junction.getConfig("alerts");
        Duration check = positive(alerts, "check-interval", "junction.alerts", problems);
        Duration bucket = positive(alerts, "bucket", "junction.alerts", problems);
        Duration breaker = positive(alerts, "breaker-open-for", "junction.alerts", problems);
        Config defaults = junction.getConfig("monitoring-defaults");
        Map<String, AlertSettings.Monitoring> monitoring = new LinkedHashMap<>();
        for (String name : integrations) {
            String path = "junction.integrations." + ConfigLoader.quoted(name) + ".monitoring";
            Config block = defaults;
            try {
                Config declared = junction.getConfig("integrations");
                Config integration = declared.hasPath(ConfigLoader.quoted(name)) ? declared.getConfig(ConfigLoader.quoted(name))
                        : com.typesafe.config.ConfigFactory.empty(); // junction-alerts, made from junction.alerts.notify
                if (integration.hasPath("monitoring")) {
                    block = integration.getConfig("monitoring").withFallback(defaults);
                }
                for (String key : block.root().keySet()) {
                    if (!Set.of("freshness", "volume", "failures").contains(key)) {
                        problems.at(block, key, path + "." + key, "unknown setting (known: freshness, volume, failures)");
                    }
                }
                Duration freshness = block.getIsNull("freshness.max-age") || "off".equals(block.getValue("freshness.max-age").unwrapped())
                        ? null : positive(block, "freshness.max-age", path, problems);
                monitoring.put(name, new AlertSettings.Monitoring(freshness, positive(block, "volume.window", path, problems),
                        positive(block, "volume.baseline", path, problems), ratio(block, "volume.min-ratio", path, problems),
                        positive(block, "failures.window", path, problems), ratio(block, "failures.max-ratio", path, problems)));
            } catch (ConfigException e) {
                problems.from(e, "");
            }
        }
        return new AlertSettings(check, bucket, breaker, notifies, Map.copyOf(monitoring));
    }

    private static Duration positive(Config block, String key, String path, Problems problems) {
        try {
            Duration d = block.getDuration(key);
            if (d.isZero() || d.isNegative()) {
                problems.at(block, key, path + "." + key, "must be a positive duration such as 15m");
            }
            return d;
        } catch (ConfigException e) {
            problems.at(block, key, path + "." + key, "must be a duration such as 15m");
            return Duration.ofMinutes(1);
        }
    }

    private static double ratio(Config block, String key, String path, Problems problems) {
        try {
            double d = block.getDouble(key);
            if (d < 0 || d > 1) {
                problems.at(block, key, path + "." + key, "must be a ratio between 0 and 1");
            }
            return d;
        } catch (ConfigException e) {
            problems.at(block, key, path + "." + key, "must be a number between 0 and 1");
            return 0;
        }
    }
}
