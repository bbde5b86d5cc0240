package dev.junction.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.BulkSender;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 dead letters, each with a 2 KB payload, in one integration of a server (its own JVM, 512 MB of heap): after a full
 * GC the heap holds an index entry per dead letter, not the payloads; the listing pages through all of them newest first
 * with a cursor; a bulk replay runs as an operation with progress and delivers each exactly once.
 */
class DeadLetterScaleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LETTERS = 100_000;
    /** The bound stated in docs/benchmarks.md: what 100,000 index entries may cost on top of an idle server. */
    private static final long HEAP_BOUND_BYTES = 120L * 1024 * 1024;
    private static final String PADDING = "x".repeat(2000);
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aHundredThousandDeadLettersCostAnIndexEntryEach() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget erp = new RecordingTarget(32)) {
            java.util.concurrent.atomic.AtomicBoolean fixed = new java.util.concurrent.atomic.AtomicBoolean();
            erp.respondWith((key, n) -> fixed.get() ? 200 : 400);
            Path config = TestConfig.write(dir, """
                junction {
                  inbox.partitions = 8
                  systems {
                    webshop { connector = http }
                    erp { connector = http, base-url = "%s", resilience.max-in-flight = 64 }
                  }
                  integrations {
                    orders { source { system = webshop, webhook { path = "orders" } }, targets = [ { system = erp, http { path = "/o" } } ] }
                  }
                }
                """.formatted(erp.baseUrl()));
            Map<String, String> env = Map.of("JUNCTION_DB_URL", db.url(), "JUNCTION_DB_USER", PostgresDatabase.USER);
            int port = ServerProcess.freePort();
            try (ServerProcess server = ServerProcess.start(config, port, env, dir.resolve("server.log"), List.of("-Xmx512m"))) {
                long idle = heapAfterGc(server);
                List<String> keys = IntStream.range(0, LETTERS).mapToObj(i -> "dl-" + i).toList();
                Map<Integer, Long> answers = BulkSender.count(BulkSender.post(server.url("/webhooks/orders"), keys,
                        k -> "{\"id\":\"" + k + "\",\"padding\":\"" + PADDING + "\"}", 64));
                assertEquals(LETTERS, answers.getOrDefault(202, 0L) + answers.getOrDefault(200, 0L), answers.toString());
                Await.until(Duration.ofSeconds(300), () -> matched(server) == LETTERS, () -> matched(server) + " dead letters");

                long heap = heapAfterGc(server) - idle;
                System.out.printf("dead letters at scale: %d dead letters (2 KB each) cost %.1f MB of heap after a full GC (%.0f bytes "
                        + "each)%n", LETTERS, heap / 1048576.0, heap / (double) LETTERS);
                assertTrue(heap < HEAP_BOUND_BYTES, "100,000 dead letters take " + heap / 1048576 + " MB of heap");

                // The listing pages through every dead letter, newest first, each once.
                Set<String> listed = new HashSet<>();
                String after = null;
                long previous = Long.MAX_VALUE;
                do {
                    JsonNode page = get(server, "/api/v1/dead-letters?integration=orders&limit=1000" + (after == null ? "" : "&after=" + after));
                    for (JsonNode item : page.get("items")) {
                        long at = java.time.Instant.parse(item.get("deadLetteredAt").asText()).toEpochMilli();
                        assertTrue(at <= previous, "newest first");
                        previous = at;
                        assertTrue(listed.add(item.get("messageId").asText()), "listed once: " + item);
                    }
                    after = page.hasNonNull("next") ? page.get("next").asText() : null;
                } while (after != null);
                assertEquals(LETTERS, listed.size(), "every dead letter listed");

                // A bulk replay of all of them: an operation, followed to its end; each delivered once.
                fixed.set(true);
                HttpResponse<String> started = client.send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/dead-letters/replay")))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                "{\"integration\":\"orders\",\"by\":\"test\",\"reason\":\"the ERP is fixed\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(202, started.statusCode(), started.body());
                String operation = JSON.readTree(started.body()).get("id").asText();
                Await.until(Duration.ofSeconds(600), () -> "done".equals(get(server, "/api/v1/operations/" + operation).get("status").asText()),
                        () -> "operation " + get(server, "/api/v1/operations/" + operation));
                JsonNode done = get(server, "/api/v1/operations/" + operation);
                assertEquals(LETTERS, done.get("done").asInt(), done.toString());
                Await.until(Duration.ofSeconds(300), () -> erp.applied().size() == LETTERS, () -> erp.applied().size() + " delivered");
                assertEquals(0, matched(server), "no dead letter left");
                assertEquals(List.of(), keys.stream().filter(k -> erp.successes(k) != 1 || erp.messageIds(k).size() != 1).limit(10).toList(),
                        "each delivered exactly once, as one message");
            }
        }
    }

    private int matched(ServerProcess server) {
        return get(server, "/api/v1/dead-letters?integration=orders&limit=1").get("matched").asInt();
    }

    private JsonNode get(ServerProcess server, String path) {
        try {
            return JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(server.url(path))).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's used heap after a full GC, as jcmd reports it. */
    private static long heapAfterGc(ServerProcess server) throws Exception {
        run("jcmd", Long.toString(server.pid()), "GC.run");
        String info = run("jcmd", Long.toString(server.pid()), "GC.heap_info");
        var m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("cannot read the heap: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }
}
