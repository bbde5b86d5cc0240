package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.TestConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code junction-server chaos} run in-process against a webhook → validate → map → HTTP integration: the figures of each
 * scenario are exact (every message sent is accepted and delivered, none lost, none applied twice), an objective missed exits
 * 1, and a command-line mistake exits 2 with a precise message.
 */
class ChaosCommandTest {
    /** Fast retries and a breaker that closes again quickly, so a 1 s outage settles within the test. */
    private static final String FAST_RECOVERY = """
            resilience {
              retry { max-attempts = 1000, min-backoff = 50ms, max-backoff = 300ms }
              circuit-breaker { max-failures = 5, call-timeout = 1s, reset-timeout = 200ms, max-reset-timeout = 500ms }
            }""";
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int chaos(String... args) {
        out.reset();
        err.reset();
        return ChaosCommand.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), InProcessNode.STARTER);
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    private Path config() {
        // the base-url is the user's real ERP: chaos must never call it (nothing listens on port 1)
        return TestConfig.write(dir.resolve("conf"), TestConfig.webhookToHttp("http://127.0.0.1:1", FAST_RECOVERY));
    }

    /** {@link #config()} with a second integration whose source, a directory of CSV files, chaos does not drive. */
    private Path configWithADirectorySource() {
        String hocon = TestConfig.webhookToHttp("http://127.0.0.1:1", FAST_RECOVERY)
                .replace("systems {", "systems {\n    drop-box { connector = file, root = \"drop\" }")
                .replace("integrations {", """
                        integrations {
                            dropped-orders {
                              source { system = drop-box, directory { path = "in", pattern = "*.csv" } }
                              targets = [ { system = erp, http { method = POST, path = "/erp/dropped" } } ]
                            }""");
        return TestConfig.write(dir.resolve("conf"), hocon);
    }

    private static Map<String, JsonNode> scenarios(Path report) throws IOException {
        Map<String, JsonNode> byName = new java.util.LinkedHashMap<>();
        new ObjectMapper().readTree(report.toFile()).path("scenarios").forEach(s -> byName.put(s.path("scenario").asText(), s));
        return byName;
    }

    @Test
    void baselineAndTargetDownDeliverEveryMessageOnce() throws IOException {
        Path report = dir.resolve("report.json");

        Path conf = configWithADirectorySource();
        // a file waiting in the user's real drop folder: a started directory source would take it and move it to .done/
        Path waiting = java.nio.file.Files.createDirectories(conf.getParent().resolve("drop/in")).resolve("SO-1.csv");
        java.nio.file.Files.writeString(waiting, TestConfig.order("SO-1"));
        int code = chaos(conf.toString(), "--scenario", "baseline,target-down", "--rate", "50/s", "--duration", "2s",
                "--settle", "30s", "--report", report.toString());

        assertEquals(0, code, printed());
        Map<String, JsonNode> byName = scenarios(report);
        assertEquals(List.of("baseline", "target-down"), new ArrayList<>(byName.keySet()));
        assertTrue(printed().contains("not driven: dropped-orders: source kind directory with pattern *.csv not driven (chaos writes <key>.json files)"), printed());
        assertTrue(java.nio.file.Files.exists(waiting), "the directory source was started and took " + waiting);
        for (JsonNode s : byName.values()) {
            String name = s.path("scenario").asText() + ": ";
            assertEquals(100, s.path("sent").asInt(), name + printed());
            assertEquals(100, s.path("accepted").asInt(), name + printed());
            assertEquals(100, s.path("delivered").asInt(), name + printed());
            assertEquals(0, s.path("lost").size(), name + printed());
            assertEquals(0, s.path("duplicateEffects").size(), name + printed());
            assertEquals(0, s.path("deadLettered").size(), name + printed());
            assertEquals(100, s.path("endToEndMillis").path("samples").asInt(), name + printed());
            assertTrue(s.path("passed").asBoolean(), name + printed());
        }
        // the outage took effect: messages sent while the port was closed needed more than one attempt
        assertTrue(byName.get("target-down").path("retried").asInt() > 0, printed());
        assertTrue(printed().contains("PASS"), printed());
    }

    @Test
    void theQuickstartRunsWithItsFileTargetInAScratchDirectory() throws IOException {
        Path quickstart = TestConfig.quickstart();
        boolean hadOut = java.nio.file.Files.exists(quickstart.resolve("out"));
        Path report = dir.resolve("report.json");

        int code = chaos(quickstart.toString(), "--scenario", "baseline", "--rate", "20/s", "--duration", "1s",
                "--report", report.toString());

        assertEquals(0, code, printed());
        JsonNode baseline = scenarios(report).get("baseline");
        assertEquals(20, baseline.path("accepted").asInt(), printed());
        assertEquals(20, baseline.path("delivered").asInt(), printed());
        // each delivered message was found as a line of the file target, with its key and message id
        assertEquals(20, baseline.path("endToEndMillis").path("samples").asInt(), printed());
        assertEquals(0, baseline.path("lost").size(), printed());
        assertEquals(hadOut, java.nio.file.Files.exists(quickstart.resolve("out")), "chaos wrote to the quickstart's own target");
    }

    @Test
    void aMissedObjectiveExitsOne() throws IOException {
        Path report = dir.resolve("report.json");

        int code = chaos(config().toString(), "--scenario", "permanent-4xx,duplicates,bad-input", "--rate", "50/s",
                "--duration", "2s", "--settle", "30s", "--slo", "dead-lettered=0", "--report", report.toString());

        assertEquals(1, code, printed());
        Map<String, JsonNode> byName = scenarios(report);
        JsonNode refused = byName.get("permanent-4xx");
        assertEquals(100, refused.path("accepted").asInt(), printed());
        assertEquals(99, refused.path("delivered").asInt(), printed());
        assertEquals(1, sum(refused.path("deadLettered")), printed());
        assertTrue(!refused.path("passed").asBoolean(), printed());
        JsonNode duplicates = byName.get("duplicates");
        assertEquals(120, duplicates.path("sent").asInt(), printed());
        assertEquals(100, duplicates.path("accepted").asInt(), printed());
        assertEquals(20, duplicates.path("answeredDuplicate").asInt(), printed());
        assertEquals(100, duplicates.path("delivered").asInt(), printed());
        assertEquals(0, duplicates.path("duplicateEffects").size(), printed());
        assertTrue(duplicates.path("passed").asBoolean(), printed());
        JsonNode bad = byName.get("bad-input");
        // the 10 spoiled messages are refused at the webhook or dead-lettered by validation; never lost, never delivered
        assertEquals(90, bad.path("delivered").asInt(), printed());
        assertEquals(10, sum(bad.path("rejected")) + sum(bad.path("deadLettered")), printed());
        assertEquals(0, bad.path("lost").size(), printed());
    }

    @Test
    void aSplitMessageIsFollowedToEachElementAndItsEffect() throws IOException {
        Path report = dir.resolve("report.json");

        int code = chaos(TestConfig.quickstart().resolveSibling("order-lines").toString(), "--scenario", "baseline",
                "--rate", "20/s", "--duration", "1s", "--report", report.toString());

        assertEquals(0, code, printed());
        JsonNode baseline = scenarios(report).get("baseline");
        assertEquals(20, baseline.path("split").asInt(), printed());
        // the generated order has one line: one pick each, found as a line of picks.jsonl with its own message id
        assertEquals(20, baseline.path("elements").asInt(), printed());
        assertEquals(20, baseline.path("elementsDelivered").asInt(), printed());
        assertEquals(0, baseline.path("lost").size(), printed());
    }

    @Test
    void aDirectorySourceIsDrivenByFilesInAScratchFolder() throws IOException {
        Path conf = TestConfig.write(dir.resolve("conf"), """
                junction {
                  systems {
                    drop-box { connector = file, root = "drop" }
                    erp { connector = http, base-url = "http://127.0.0.1:1" }
                  }
                  integrations {
                    dropped-orders {
                      source { system = drop-box, directory { path = "in", poll-interval = 100ms } }
                      steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                      targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                    }
                  }
                }""");
        Path report = dir.resolve("report.json");

        int code = chaos(conf.toString(), "--scenario", "baseline,duplicates", "--rate", "20/s", "--duration", "1s",
                "--settle", "10s", "--report", report.toString());

        assertEquals(0, code, printed());
        Map<String, JsonNode> byName = scenarios(report);
        JsonNode baseline = byName.get("baseline");
        assertEquals(20, baseline.path("accepted").asInt(), printed());
        assertEquals(20, baseline.path("delivered").asInt(), printed());
        assertEquals(20, baseline.path("endToEndMillis").path("samples").asInt(), printed());
        JsonNode duplicates = byName.get("duplicates");
        // 1 file in 5 written again under its name once the source took the first: the same key, one effect
        assertEquals(24, duplicates.path("sent").asInt(), printed());
        assertEquals(20, duplicates.path("accepted").asInt(), printed());
        assertEquals(4, duplicates.path("answeredDuplicate").asInt(), printed());
        assertEquals(0, duplicates.path("duplicateEffects").size(), printed());
        assertEquals(0, duplicates.path("lost").size(), printed());
        assertTrue(!java.nio.file.Files.exists(conf.getParent().resolve("drop")), "chaos wrote into the user's own folder");
    }

    @Test
    void pollSourcesReadTheirItemsFromAStandInApi() throws IOException {
        // the crm's base-url is the user's real API: chaos must never call it (nothing listens on port 1)
        Path conf = TestConfig.write(dir.resolve("conf"), """
                junction {
                  systems {
                    crm { connector = http, base-url = "http://127.0.0.1:1" }
                    erp { connector = http, base-url = "http://127.0.0.1:1" }
                  }
                  integrations {
                    polled-orders {
                      source { system = crm, poll { path = "/api/orders?status=open", items = "/data", idempotency-key = "json:/id",
                               watermark { param = updated_since, from = /updatedAt }, page-number { size-param = per_page, size = 7 } } }
                      steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                      targets = [ { system = erp, http { method = POST, path = "/erp/orders" } } ]
                    }
                    polled-returns {
                      source { system = crm, poll { path = "http://127.0.0.1:1/api/returns", items = "/data", idempotency-key = "json:/id",
                               next-page = "json:/paging/next", every = 100ms } }
                      steps = [ { validate { schema = "schemas/webshop-order.schema.json" } } ]
                      targets = [ { system = erp, http { method = POST, path = "/erp/returns" } } ]
                    }
                  }
                }""");
        Path report = dir.resolve("report.json");

        int code = chaos(conf.toString(), "--scenario", "baseline,duplicates", "--rate", "20/s", "--duration", "1s",
                "--settle", "20s", "--report", report.toString());

        assertEquals(0, code, printed());
        assertTrue(printed().contains("source of polled-orders: items served by a stand-in API at http://127.0.0.1:"), printed());
        Map<String, JsonNode> byName = scenarios(report);
        JsonNode baseline = byName.get("baseline");
        assertEquals(40, baseline.path("sent").asInt(), printed());
        assertEquals(40, baseline.path("accepted").asInt(), printed());
        assertEquals(40, baseline.path("delivered").asInt(), printed());
        assertEquals(40, baseline.path("endToEndMillis").path("samples").asInt(), printed());
        assertEquals(0, baseline.path("lost").size(), printed());
        assertEquals(0, baseline.path("duplicateEffects").size(), printed());
        JsonNode duplicates = byName.get("duplicates");
        // 1 item in 5 served again once the source read it: the same key, one effect
        assertEquals(48, duplicates.path("sent").asInt(), printed());
        assertEquals(40, duplicates.path("accepted").asInt(), printed());
        assertEquals(8, duplicates.path("answeredDuplicate").asInt(), printed());
        assertEquals(40, duplicates.path("delivered").asInt(), printed());
        assertEquals(0, duplicates.path("duplicateEffects").size(), printed());
        assertEquals(0, duplicates.path("lost").size(), printed());
    }

    @Test
    void mistakesOnTheCommandLineExitTwoWithAPreciseMessage() {
        String conf = config().toString();
        assertEquals(2, chaos(conf, "--scenario", "meteor"));
        assertTrue(printed().contains("--scenario meteor: unknown scenario (known: baseline, target-down"), printed());
        assertEquals(2, chaos(conf, "--scenario", "journal-down"));
        assertTrue(printed().contains("--scenario journal-down needs --journal jdbc:postgresql://"), printed());
        assertEquals(2, chaos(conf, "--slo", "p99=fast"));
        assertTrue(printed().contains("--slo p99 fast: must be a positive duration"), printed());
        assertEquals(2, chaos(dir.resolve("missing.conf").toString()));
        assertTrue(printed().contains("missing.conf: configuration file not found"), printed());
        assertEquals(2, chaos(conf, "--rate"));
        assertTrue(printed().contains("--rate needs a value"), printed());
        assertTrue(!printed().contains("Exception"), printed());
        assertEquals(0, chaos("--help"));
        assertTrue(printed().contains("  429-storm      the target answers 429 with Retry-After: 1"), printed());
    }

    private static int sum(JsonNode counts) {
        int n = 0;
        for (JsonNode c : counts) {
            n += c.asInt();
        }
        return n;
    }
}
