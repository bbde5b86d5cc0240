package dev.junction.server.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cluster-config/prometheus/alerts.yml with the real Prometheus (Debian's package; .ci/run installs it): promtool accepts the
 * rules, and a Prometheus on loopback scraping a running node sees the stale alert fire once traffic stops (its threshold
 * lowered from 15 min to 5 s, the only change).
 */
class PrometheusIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String PROMETHEUS = "/usr/bin/prometheus";
    private static final String PROMTOOL = "/usr/bin/promtool";

    @TempDir
    Path dir;

    @Test
    void theRulesAreValidAndTheStaleAlertFiresInPrometheus() throws Exception {
        assertTrue(Files.isExecutable(Path.of(PROMETHEUS)) && Files.isExecutable(Path.of(PROMTOOL)),
                "Debian's prometheus package is needed (.ci/run installs it: apt-get install -y prometheus)");
        Path shipped = DashboardTest.clusterConfig().resolve("prometheus/alerts.yml");
        assertEquals(0, run(dir.resolve("promtool.log"), PROMTOOL, "check", "rules", shipped.toString()),
                () -> "promtool refused alerts.yml: " + read(dir.resolve("promtool.log")));
        String rules = Files.readString(shipped);
        assertTrue(rules.contains("junction_last_delivered_timestamp_seconds) > 900"), "the stale rule as shipped");
        Path testRules = dir.resolve("alerts.yml");
        Files.writeString(testRules, rules.replace("junction_last_delivered_timestamp_seconds) > 900", "junction_last_delivered_timestamp_seconds) > 5"));
        assertEquals(0, run(dir.resolve("promtool2.log"), PROMTOOL, "check", "rules", testRules.toString()));

        try (RecordingTarget erp = new RecordingTarget()) {
            Path config = TestConfig.write(dir.resolve("junction"), TestConfig.webhookToHttp(erp.baseUrl(), ""));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                int port = freePort();
                Path yml = dir.resolve("prometheus.yml");
                Files.writeString(yml, """
                        global: { scrape_interval: 1s, evaluation_interval: 1s }
                        rule_files: [ "%s" ]
                        scrape_configs:
                          - job_name: junction
                            metrics_path: /metrics
                            static_configs: [ { targets: [ "127.0.0.1:%d" ] } ]
                        """.formatted(testRules, server.junction().httpAddress().getPort()));
                Path log = dir.resolve("prometheus.log");
                Process prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + yml, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + port, "--web.enable-lifecycle")
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                try {
                    String api = "http://127.0.0.1:" + port;
                    Await.until(Duration.ofSeconds(30), () -> get(api + "/-/ready").startsWith("200"), () -> "not ready: " + read(log));
                    server.postAccepted("/webhooks/webshop/orders", "p-1", TestConfig.order("SO-1"));
                    Await.until(Duration.ofSeconds(15), () -> erp.successes("p-1") == 1, () -> "not delivered");
                    // The node is scraped while it delivers, then no traffic comes: the alert goes pending, then firing.
                    Await.until(Duration.ofSeconds(30), () -> target(api).equals("up"), () -> "scrape: " + get(api + "/api/v1/targets"));
                    Await.until(Duration.ofSeconds(45), () -> "firing".equals(staleState(api)), () -> "alerts: " + get(api + "/api/v1/alerts"));
                } finally {
                    prometheus.destroy();
                    if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                        prometheus.destroyForcibly();
                    }
                }
            }
        }
    }

    private static String staleState(String api) {
        try {
            JsonNode alerts = new ObjectMapper().readTree(get(api + "/api/v1/alerts").substring(4)).at("/data/alerts");
            for (JsonNode a : alerts) {
                if (a.at("/labels/alertname").asText().equals("JunctionIntegrationStale")
                        && a.at("/labels/integration").asText().equals("orders-to-erp")) {
                    return a.get("state").asText();
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    private static String target(String api) {
        try {
            JsonNode targets = new ObjectMapper().readTree(get(api + "/api/v1/targets").substring(4)).at("/data/activeTargets");
            return targets.size() == 1 ? targets.get(0).get("health").asText() : "none";
        } catch (Exception e) {
            return "unreadable";
        }
    }

    /** "status body", or "000 error". */
    private static String get(String url) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            return "000 " + e;
        }
    }

    private static int run(Path log, String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
