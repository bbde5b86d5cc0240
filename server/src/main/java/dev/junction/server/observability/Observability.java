package dev.junction.server.observability;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import kamon.Kamon;

/**
 * Starts Kamon once per JVM. {@link #init} runs first in {@code Main}, before anything touches Pekko, so Kamon's agent can
 * instrument Pekko's actors, dispatchers and HTTP (this works on JDK 17 to 21). A node started without {@code Main} (the
 * in-process tests) gets Kamon without the agent: Junction's own metrics, no instrumentation of classes already loaded.
 *
 * <p>{@code JUNCTION_METRICS=off} leaves Kamon out entirely: every metric call is then a no-op (used to measure their cost).
 */
public final class Observability {
    private static volatile boolean started;
    private static volatile boolean enabled = true;

    private Observability() {}

    /** Kamon with its instrumentation agent; call before the first Pekko class loads. */
    public static synchronized void init(Map<String, String> env) {
        if (started) {
            return;
        }
        started = true;
        enabled = !"off".equalsIgnoreCase(env.getOrDefault("JUNCTION_METRICS", "on"));
        if (enabled) {
            Kamon.init(config());
        }
    }

    /** Kamon without the agent, when {@link #init} did not run (a node started inside another program, e.g. a test). */
    public static synchronized void ensureStarted() {
        if (started) {
            return;
        }
        started = true;
        enabled = !"off".equalsIgnoreCase(System.getenv().getOrDefault("JUNCTION_METRICS", "on"));
        if (enabled) {
            Kamon.initWithoutAttaching(config());
        }
    }

    static boolean enabled() {
        return enabled;
    }

    /**
     * The latest metrics in Prometheus's text exposition format; empty before the first tick or with metrics off. Each node
     * serves its own.
     */
    public static String scrape() {
        if (!enabled) {
            return "";
        }
        scala.Option<String> data = kamon.prometheus.PrometheusReporter.latestScrapeData();
        return data.isDefined() ? data.get() : "";
    }

    private static Config config() {
        ConfigFactory.invalidateCaches();
        // No logger here: this runs before logging starts, so that Kamon can instrument logback's classes too.
        return ConfigFactory.defaultOverrides()
                .withFallback(ConfigFactory.parseResources(Observability.class.getClassLoader(), "junction-kamon.conf"))
                .withFallback(ConfigFactory.load())
                .resolve();
    }
}
