package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.ContactsApi;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A poll source reads a real HTTP API of 5,000 contacts (plus 5 items that cannot become messages) in pages of 50, while the
 * test changes and adds contacts, and delivers each contact revision to an HTTP target that counts effects per idempotency
 * key and per Junction message id. The server (its own JVM) is killed with SIGKILL in the middle of a run and started again:
 * every contact's current revision reaches the target, no revision under two message ids, the 5 unusable items are dead
 * letters, and every run is recorded with counts that add up; a final run over a known change has exact counts.
 */
class PollCrashIT {
    private static final int CONTACTS = 5_000;
    private static final int CHANGES = 600;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) // the server's log stays when it fails
    Path dir;

    @Test
    void aKilledPollerLosesNothingAndAppliesNothingTwice() throws Exception {
        try (ContactsApi api = new ContactsApi(CONTACTS); RecordingTarget target = new RecordingTarget(32)) {
            api.addUnusable(3, 2);
            api.delay(40); // ~100 pages: a run takes several seconds, so the kill lands in one
            Path config = config(dir, api, target, "300ms");
            Map<String, String> env = Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString());
            int port = ServerProcess.freePort();
            Path log = dir.resolve("server.log");

            AtomicInteger changed = new AtomicInteger();
            CompletableFuture<Void> changes = CompletableFuture.runAsync(() -> {
                while (changed.get() < CHANGES) {
                    api.change();
                    changed.incrementAndGet();
                    sleep(60); // about 36 s of changes: before, during and after the kill
                }
            });
            int appliedAtKill;
            try (ServerProcess first = ServerProcess.startOnClassPath(config, port, env, log, List.of("-Xmx512m"))) {
                Await.until(Duration.ofSeconds(120), () -> target.applied().size() >= 1_500,
                        () -> target.applied().size() + " delivered; see " + log);
                first.kill();
                appliedAtKill = target.applied().size();
            }
            assertTrue(appliedAtKill < CONTACTS, "killed mid-run: " + appliedAtKill + " applied");
            int changedAtKill = changed.get();

            List<JsonNode> runs;
            long deadLetters;
            try (ServerProcess second = ServerProcess.startOnClassPath(config, port, env, log, List.of("-Xmx512m"))) {
                changes.join();
                List<String> current = api.currentRevisions();
                Await.until(Duration.ofSeconds(240), () -> target.applied().containsAll(current),
                        () -> current.stream().filter(r -> !target.applied().contains(r)).count() + " current revisions not delivered; see " + log);

                // A known change when all is quiet: the next run reads it and the one contact at the watermark again.
                Thread.sleep(1_500);
                for (int i = 0; i < 10; i++) {
                    api.change();
                }
                List<String> last = api.currentRevisions();
                Await.until(Duration.ofSeconds(60), () -> target.applied().containsAll(last), () -> "the last 10 changes were not delivered");
                Thread.sleep(1_500);
                runs = runs(second);
                deadLetters = get(second, "/api/v1/dead-letters?integration=contacts&limit=100").get("matched").asLong();
            }

            List<String> current = api.currentRevisions();
            long lost = current.stream().filter(r -> !target.applied().contains(r)).count();
            List<String> twice = target.applied().stream().filter(k -> target.messageIds(k).size() != 1).toList();
            long redelivered = target.applied().stream().filter(k -> target.successes(k) > 1).count();

            long accepted = runs.stream().mapToLong(r -> r.get("accepted").asLong()).sum();
            JsonNode lastChanged = runs.stream().filter(r -> r.get("accepted").asLong() > 0).findFirst().orElseThrow();
            System.out.printf("poll crash test: %d contacts + %d changes (%d before the kill), killed with %d applied; %d revisions "
                    + "delivered, %d lost, %d under two message ids, %d delivered again after the restart (same message id); %d runs, "
                    + "%d accepted in all, %d dead letters, last run %s%n", CONTACTS, CHANGES + 10, changedAtKill, appliedAtKill, target.applied().size(),
                    lost, twice.size(), redelivered, runs.size(), accepted, deadLetters, lastChanged);
            assertEquals(0, lost, "every contact's current revision reached the target");
            assertEquals(5, deadLetters, "the 5 unusable items are dead letters, once each");
            assertEquals(List.of(), twice.stream().limit(10).toList(), twice.size() + " revisions arrived under more than one message id");
            // Every run recorded; the run killed with its node was marked failed when the source started again (none is
            // left running), every other one succeeded.
            assertTrue(runs.size() >= 3, "runs recorded: " + runs.size());
            assertEquals(0, runs.stream().filter(r -> r.get("status").asText().equals("running")).count(), "no run left running");
            List<JsonNode> stopped = runs.stream().filter(r -> r.get("status").asText().equals("failed")).toList();
            assertEquals(1, stopped.size(), "only the run killed with its node failed: " + stopped);
            assertEquals("the node running it stopped", stopped.get(0).get("error").asText(), stopped.get(0).toString());
            for (JsonNode run : runs) {
                if (!run.get("status").asText().equals("failed")) {
                    assertEquals("succeeded", run.get("status").asText(), "run " + run);
                    assertEquals(run.get("read").asLong(), run.get("accepted").asLong() + run.get("duplicate").asLong()
                            + run.get("invalid").asLong() + run.get("failed").asLong(), "counts add up: " + run);
                }
            }
            JsonNode firstRun = runs.get(runs.size() - 1);
            assertEquals(5, firstRun.get("invalid").asLong(), "the first run recorded the 5 unusable items: " + firstRun);
            assertEquals(List.of(10L, 1L, 11L, 1L), List.of(lastChanged.get("accepted").asLong(), lastChanged.get("duplicate").asLong(),
                    lastChanged.get("read").asLong(), lastChanged.get("pages").asLong()), "the run over 10 changes: " + lastChanged);
        }
    }

    static Path config(Path dir, ContactsApi api, RecordingTarget target, String every) {
        return TestConfig.write(dir, """
            junction {
              systems {
                crm { connector = http, base-url = "%s" }
                erp {
                  connector = http
                  base-url = "%s"
                  resilience { max-in-flight = 32, retry { max-attempts = 50, min-backoff = 50ms, max-backoff = 1s } }
                }
              }
              integrations {
                contacts {
                  source {
                    system = crm
                    poll {
                      path = "/api/contacts?limit=50"
                      every = %s
                      items = "/data"
                      idempotency-key = "json:/revision"
                      watermark { param = updated_since, from = "/updatedAt" }
                      next-page = "json:/paging/next"
                    }
                  }
                  targets = [ { system = erp, http { path = "/erp/contacts" } } ]
                }
              }
            }
            """.formatted(api.baseUrl(), target.baseUrl(), every));
    }

    /** Every run of the integration, newest first. */
    static List<JsonNode> runs(ServerProcess server) throws Exception {
        List<JsonNode> runs = new ArrayList<>();
        get(server, "/api/v1/runs?integration=contacts&limit=1000").get("items").forEach(runs::add);
        return runs;
    }

    static JsonNode get(ServerProcess server, String path) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url(path))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
