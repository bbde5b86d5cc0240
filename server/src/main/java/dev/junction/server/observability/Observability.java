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
 * <p>{@code JUNCTION_METRICS}: unset or {@code on}, Junction's own metrics (the catalogue) without the agent; {@code agent},
 * the agent as well (Pekko's actors and dispatchers, Pekko HTTP, executors: see {@code kanela.modules} in
 * {@code junction-kamon.conf}); {@code off}, no Kamon at all (every metric call is a no-op). The agent is not the default:
 * on two cores with three nodes it pushed {@code FailoverSpec}'s resumption past its 30 s bound (31.5-35.6 s against 22-24 s
 * without it) and left requests unanswered in {@code JournalOutageSpec}; it stays opt-in until its cost is measured and cut.
 */
public final class Observability {
    private static volatile boolean started;
    private static volatile boolean enabled = true;

    private Observability() {}

    /** Kamon (with its instrumentation agent when asked for); call before the first Pekko class loads. */
    public static synchronized void init(Map<String, String> env) {
        if (started) {
            return;
        }
        started = true;
        String mode = env.getOrDefault("JUNCTION_METRICS", "on");
        enabled = !"off".equalsIgnoreCase(mode);
        if ("agent".equalsIgnoreCase(mode)) {
            Kamon.init(config());
        } else if (enabled) {
            Kamon.initWithoutAttaching(config());
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
