package dev.junction.server.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.PrometheusText;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of the Grafana dashboard and every rule of the Prometheus alerts names metrics that a running node serves
 * (after one delivered message, every metric of Junction's catalogue is there).
 */
class DashboardTest {
    private static final Pattern METRIC = Pattern.compile("\\b((?:junction|jvm|process|host)_[a-zA-Z0-9_]+)");

    @TempDir
    Path dir;

    static Path clusterConfig() {
        Path here = Path.of("").toAbsolutePath();
        Path candidate = here.resolve("../cluster-config").normalize();
        return Files.isDirectory(candidate) ? candidate : here.resolve("cluster-config");
    }

    @Test
    void everyQueryNamesAMetricThatExists() throws Exception {
        List<String> queries = new ArrayList<>();
        JsonNode dashboard = new ObjectMapper().readTree(clusterConfig().resolve("grafana/junction.json").toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                queries.add(target.get("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            if (variable.get("type").asText().equals("query")) {
                queries.add(variable.get("query").asText());
            }
        }
        Matcher rules = Pattern.compile("(?m)^\\s+expr: (?:\\|\\n)?((?:.*\\n)+?)\\s+(?:for|labels):")
                .matcher(Files.readString(clusterConfig().resolve("prometheus/alerts.yml")));
        int ruleCount = 0;
        while (rules.find()) {
            queries.add(rules.group(1));
            ruleCount++;
        }
        assertEquals(5, ruleCount, "the rules of alerts.yml were read");
        assertTrue(queries.size() >= 12, queries.toString());

        try (RecordingTarget erp = new RecordingTarget()) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(erp.baseUrl(), ""));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                server.postAccepted("/webhooks/webshop/orders", "d-1", TestConfig.order("SO-1"));
                Await.until(Duration.ofSeconds(15), () -> names(server).contains("junction_last_delivered_timestamp_seconds"),
                        () -> "no delivery yet: " + names(server));
                Set<String> served = names(server);
                Set<String> missing = new TreeSet<>();
                for (String query : queries) {
                    Matcher m = METRIC.matcher(query);
                    boolean any = false;
                    while (m.find()) {
                        any = true;
                        if (!served.contains(m.group(1))) {
                            missing.add(m.group(1) + " in " + query.strip());
                        }
                    }
                    assertTrue(any, "a query naming no metric: " + query);
                }
                assertTrue(missing.isEmpty(), "metrics no node serves: " + missing);
            }
        }
    }

    private static Set<String> names(RunningServer server) {
        try {
            return new PrometheusText(server.get("/metrics").body()).names();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
