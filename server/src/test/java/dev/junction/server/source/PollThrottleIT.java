package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.server.testing.Await;
import dev.junction.server.testing.ContactsApi;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The polled API answers one page request with 429 and {@code Retry-After: 3}: the system pauses, so the poller sends no
 * request for those 3 seconds (its next runs wait in the system's queue), then reads on; every contact arrives, and the run
 * that met the 429 is recorded with the API's answer as its error.
 */
class PollThrottleIT {
    private static final int PAUSE_SECONDS = 3;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void aRetryAfterFromThePolledApiPausesPolling() throws Exception {
        try (ContactsApi api = new ContactsApi(500); RecordingTarget target = new RecordingTarget(16)) {
            api.throttleOnce(4, PAUSE_SECONDS);
            Path config = PollCrashIT.config(dir, api, target, "200ms");
            Path log = dir.resolve("server.log");
            try (ServerProcess server = ServerProcess.startOnClassPath(config, ServerProcess.freePort(),
                    Map.of("JUNCTION_DATA_DIR", dir.resolve("data").toString()), log, List.of("-Xmx512m"))) {
                List<String> all = api.currentRevisions();
                Await.until(Duration.ofSeconds(60), () -> target.applied().containsAll(all),
                        () -> all.stream().filter(r -> !target.applied().contains(r)).count() + " contacts not delivered; see " + log);
                long throttled = api.throttledAt();
                assertTrue(throttled > 0, "the API answered 429");
                List<Long> after = api.requests().stream().filter(t -> t > throttled).toList();
                long quiet = after.isEmpty() ? -1 : after.get(0) - throttled;
                List<JsonNode> runs = PollCrashIT.runs(server);
                JsonNode failed = runs.stream().filter(r -> !r.get("status").asText().equals("succeeded")).findFirst().orElseThrow();
                System.out.printf("poll throttle test: 429 with Retry-After: %d; the next request to the API came %d ms later; "
                        + "%d contacts delivered; the run that met it: %s%n", PAUSE_SECONDS, quiet, target.applied().size(), failed);
                assertTrue(quiet >= PAUSE_SECONDS * 1000L - 50, "no request during the pause: the next came after " + quiet + " ms");
                assertEquals("partial", failed.get("status").asText(), "pages read before the 429 were accepted: " + failed);
                assertTrue(failed.get("error").asText().startsWith("http-429"), "the run's error: " + failed);
                assertEquals(500, target.applied().size());
            }
        }
    }
}
