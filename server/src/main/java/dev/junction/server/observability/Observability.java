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
 *
 * <p>Spans ({@link Tracing}) are exported over OTLP by Kamon's OpenTelemetry reporter when {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 * or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} is set (with the other {@code OTEL_EXPORTER_OTLP_*} variables it reads:
 * protocol, headers, compression, timeout); none is recorded otherwise.
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
            Kamon.init(config(env));
        } else if (enabled) {
            Kamon.initWithoutAttaching(config(env));
        }
        Tracing.exporting(enabled && exportsSpans(env));
    }

    /** Kamon without the agent, when {@link #init} did not run (a node started inside another program, e.g. a test). */
    public static synchronized void ensureStarted() {
        if (started) {
            return;
        }
        started = true;
        Map<String, String> env = System.getenv();
        enabled = !"off".equalsIgnoreCase(env.getOrDefault("JUNCTION_METRICS", "on"));
        if (enabled) {
            Kamon.initWithoutAttaching(config(env));
        }
        Tracing.exporting(enabled && exportsSpans(env));
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

    private static boolean exportsSpans(Map<String, String> env) {
        return !env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "").isBlank() || !env.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").isBlank();
    }

    private static Config config(Map<String, String> env) {
        ConfigFactory.invalidateCaches();
        // No logger here: this runs before logging starts, so that Kamon can instrument logback's classes too.
        Config otlp = ConfigFactory.parseString("kamon.modules.otel-trace-reporter.enabled = " + exportsSpans(env));
        return ConfigFactory.defaultOverrides()
                .withFallback(otlp)
                .withFallback(ConfigFactory.parseResources(Observability.class.getClassLoader(), "junction-kamon.conf"))
                .withFallback(ConfigFactory.load())
                .resolve();
    }
}
