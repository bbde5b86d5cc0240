package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.server.plugins.ConnectorRegistry;
import dev.junction.server.testing.Effects;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import dev.junction.server.testing.TickerConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-key ordering for a pull source (a single reader, like a poll, an outbox or CDC): once with the partition key the source
 * sets itself ({@code ordering = per-key} alone, as a CDC source's primary key), once with a {@code partition-key} rule read
 * from the body at intake. The target fails one key's calls for its first attempts; every key reaches it in the order read.
 */
class OrderedPullSourceTest {
    private static final int TICKS = 120;
    private static final int KEYS = 6;

    @TempDir
    Path dir;

    @Test
    void ordersPulledMessagesByTheSourcesKeyAndByARule() throws Exception {
        try (RecordingTarget own = new RecordingTarget(); RecordingTarget byRule = new RecordingTarget()) {
            for (RecordingTarget target : List.of(own, byRule)) {
                // every tick of group 2 fails twice before it is taken: without order its successors would overtake it
                target.respondWith((key, n) -> Integer.parseInt(key.substring("tick-".length())) % KEYS == 2 && n <= 2 ? 503 : 200);
            }
            Path config = TestConfig.write(dir, """
                junction {
                  http.port = 0
                  node.port = 0
                  systems {
                    clock { connector = ticker, log = "%1$s" }
                    erp {
                      connector = http
                      base-url = "%2$s"
                      resilience.retry { max-attempts = 100, min-backoff = 20ms, max-backoff = 50ms }
                    }
                    erp2 {
                      connector = http
                      base-url = "%5$s"
                      resilience.retry { max-attempts = 100, min-backoff = 20ms, max-backoff = 50ms }
                    }
                  }
                  integrations {
                    own-key {
                      ordering = per-key
                      source { system = clock, ticks { count = %3$d, every = 1ms, keys = %4$d } }
                      targets = [ { system = erp, http { method = POST, path = "/own" } } ]
                    }
                    by-rule {
                      ordering = per-key
                      partition-key = "json:/group"
                      source { system = clock, ticks { count = %3$d, every = 1ms, keys = %4$d } }
                      targets = [ { system = erp2, http { method = POST, path = "/rule" } } ]
                    }
                  }
                }
                """.formatted(dir.resolve("ticks.log"), own.baseUrl(), TICKS, KEYS, byRule.baseUrl()));
            ConnectorRegistry connectors = ConnectorRegistry.load(getClass().getClassLoader()).with(new TickerConnector());
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of("JUNCTION_PARTITIONS", "4"), connectors)) {
                Map<String, List<String>> order = new LinkedHashMap<>();
                List<String> all = new ArrayList<>();
                IntStream.rangeClosed(1, TICKS).forEach(n -> {
                    String key = "tick-" + n;
                    order.computeIfAbsent("group " + n % KEYS, g -> new ArrayList<>()).add(key);
                    all.add(key);
                });
                for (RecordingTarget target : List.of(own, byRule)) {
                    Effects.awaitDelivered(target, all, Duration.ofSeconds(60));
                    Effects effects = Effects.of(all, target);
                    List<String> violations = Effects.orderViolations(target, order);
                    System.out.println("ordered pull source (" + (target == own ? "the source's key" : "json:/group") + "): " + effects
                            + "; " + violations.size() + " order violations"
                            + (violations.isEmpty() ? "" : ", e.g. " + violations.stream().limit(3).toList()));
                    assertEquals(List.of(), violations);
                    assertEquals(List.of(), effects.duplicateEffects(), effects::toString);
                }
            }
        }
    }
}
