package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch on the schedule {@code *}{@code /3 * * * * ?} (every 3 seconds) reads the contacts API: runs start on the schedule's
 * times and never overlap, each run's window starts at the last successful run's watermark and ends at its start, a run
 * that meets a 429 fails and the next tick starts again from the last committed watermark, every contact arrives once, and
 * the runs API lists and shows each run.
 */
class PollBatchIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aScheduledBatchRunsOnItsTicksOverItsWindow() throws Exception {
        try (ContactsApi api = new ContactsApi(300); RecordingTarget target = new RecordingTarget(16)) {
            Path config = TestConfig.write(dir, """
                junction {
                  systems {
                    crm { connector = http, base-url = "%s" }
                    erp { connector = http, base-url = "%s" }
                  }
                  integrations {
                    contacts {
                      source {
                        system = crm
                        batch {
                          schedule = "*/3 * * * * ?"
                          time-zone = "Europe/Berlin"
                          path = "/api/contacts?limit=50"
                          items = "/data"
                          idempotency-key = "json:/revision"
                          watermark { param = updated_since, from = "/updatedAt" }
                          next-page = "json:/paging/next"
                          until-param = updated_before
                        }
                      }
                      targets = [ { system = erp, http { path = "/erp/contacts" } } ]
                    }
                  }
                }
                """.formatted(api.baseUrl(), target.baseUrl()));
            Path log = dir.resolve("server.log");
            try (ServerProcess server = ServerProcess.startOnClassPath(config, ServerProcess.freePort(),
                    Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString()), log, List.of("-Xmx512m"))) {
                List<String> first = api.currentRevisions();
                Await.until(Duration.ofSeconds(30), () -> target.applied().containsAll(first), () -> "the first batch did not arrive; see " + log);
                api.throttleOnce(1, 1); // the next run's first page: 429, Retry-After: 1
                Await.until(Duration.ofSeconds(30), () -> api.throttledAt() > 0, () -> "no run met the 429");
                for (int i = 0; i < 20; i++) {
                    api.change();
                }
                List<String> all = api.currentRevisions();
                Await.until(Duration.ofSeconds(30), () -> target.applied().containsAll(all), () -> "the changes did not arrive; see " + log);
                Thread.sleep(3_500);

                List<JsonNode> runs = new ArrayList<>(PollCrashIT.runs(server));
                runs.sort(Comparator.comparing(r -> r.get("started").asText()));
                System.out.printf("batch test: %d runs, %d revisions delivered; runs (started, status, window from, watermark after, "
                        + "read/accepted/duplicate): %s%n", runs.size(), target.applied().size(), runs.stream().map(r -> r.get("started").asText()
                        + " " + r.get("status").asText() + " " + r.get("windowFrom").asText() + "->" + r.get("watermarkAfter").asText() + " "
                        + r.get("read") + "/" + r.get("accepted") + "/" + r.get("duplicate")).toList());

                String lastGood = null;
                Instant previousEnd = Instant.EPOCH;
                for (JsonNode run : runs) {
                    Instant started = Instant.parse(run.get("started").asText());
                    assertTrue(!started.isBefore(previousEnd), "runs never overlap: " + run);
                    // The window ends at the run's tick; the run is recorded as started a moment later (over a second for the
                    // first run of a cold JVM on a busy machine), always before the next tick.
                    Instant windowTo = Instant.parse(run.get("windowTo").asText());
                    assertTrue(windowTo.toEpochMilli() % 3_000 < 1_000, "a run's window ends on a tick of the schedule: " + run);
                    assertTrue(!windowTo.isAfter(started) && Duration.between(windowTo, started).toMillis() < 3_000,
                            "the run starts at its tick, before the next: " + run);
                    assertEquals(lastGood, run.get("windowFrom").isNull() ? null : run.get("windowFrom").asText(),
                            "the window starts at the last successful run's watermark: " + run);
                    if (run.get("status").asText().equals("succeeded")) {
                        lastGood = run.get("watermarkAfter").asText();
                    } else {
                        assertEquals("failed", run.get("status").asText(), "the run that met the 429: " + run);
                        assertTrue(run.get("error").asText().startsWith("http-429"), run.toString());
                        assertTrue(run.get("watermarkAfter").isNull(), "a failed run commits nothing: " + run);
                    }
                    previousEnd = Instant.parse(run.get("finished").asText());
                }
                assertEquals(1, runs.stream().filter(r -> r.get("status").asText().equals("failed")).count());
                // A contact changed twice between two runs shows only its newest revision to a poll, so the count of revisions
                // is what reached the target (every current one did, above), not 300 + 20.
                assertTrue(target.applied().size() > 300, "the changes arrived: " + target.applied().size());
                assertEquals(target.applied().size(), runs.stream().mapToLong(r -> r.get("accepted").asLong()).sum(), "each revision accepted once");
                List<String> twice = target.applied().stream().filter(k -> target.messageIds(k).size() != 1).toList();
                assertEquals(List.of(), twice, "no revision under two message ids");

                JsonNode failed = PollCrashIT.get(server, "/api/v1/runs?integration=contacts&status=failed").get("items");
                assertEquals(1, failed.size());
                JsonNode one = PollCrashIT.get(server, "/api/v1/runs/" + failed.get(0).get("id").asText());
                assertEquals(failed.get(0), one);
                assertEquals("batch", one.get("source").asText());
                HttpResponse<String> unknown = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/runs/none-such"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, unknown.statusCode());
                HttpResponse<String> bad = CLIENT.send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/runs?status=done"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(400, bad.statusCode());
                assertEquals("application/problem+json", bad.headers().firstValue("Content-Type").orElse(""));
            }
        }
    }
}
