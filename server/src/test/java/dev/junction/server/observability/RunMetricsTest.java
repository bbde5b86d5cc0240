package dev.junction.server.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.ContactsApi;
import dev.junction.server.testing.PrometheusText;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runs of a poll source on {@code GET /metrics}: runs by status, their items by outcome, and the time of the last run that
 * succeeded. 200 contacts, each accepted once over however many runs.
 */
class RunMetricsTest {
    private static final String I = "run-metrics-contacts";

    @TempDir
    Path dir;

    @Test
    void aPollRunIsCountedWithItsItems() throws Exception {
        long startedAt = System.currentTimeMillis() / 1000;
        try (ContactsApi api = new ContactsApi(200); RecordingTarget target = new RecordingTarget()) {
            Path config = TestConfig.write(dir, """
                junction {
                  systems {
                    crm { connector = http, base-url = "%s" }
                    erp { connector = http, base-url = "%s" }
                  }
                  integrations {
                    %s {
                      source { system = crm, poll { path = "/api/contacts?limit=50", every = 200ms, items = "/data",
                               idempotency-key = "json:/revision", watermark { param = updated_since, from = "/updatedAt" },
                               next-page = "json:/paging/next" } }
                      targets = [ { system = erp, http { path = "/erp/contacts" } } ]
                    }
                  }
                }
                """.formatted(api.baseUrl(), target.baseUrl(), I));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                Await.until(Duration.ofSeconds(30), () -> MetricsTest.scrape(server)
                                .valueOr0("junction_run_items_total", "integration", I, "outcome", "accepted") >= 200,
                        () -> "accepted by runs: " + MetricsTest.scrape(server).valueOr0("junction_run_items_total", "integration", I,
                                "outcome", "accepted"));
                Thread.sleep(2500); // one more tick: nothing is accepted twice
                PrometheusText m = MetricsTest.scrape(server);
                double succeeded = m.valueOr0("junction_runs_total", "integration", I, "status", "succeeded");
                double read = m.valueOr0("junction_run_items_total", "integration", I, "outcome", "read");
                double accepted = m.valueOr0("junction_run_items_total", "integration", I, "outcome", "accepted");
                double duplicate = m.valueOr0("junction_run_items_total", "integration", I, "outcome", "duplicate");
                double last = m.valueOr0("junction_last_successful_run_timestamp_seconds", "integration", I);
                System.out.printf("RunMetricsTest: runs succeeded %.0f, items read %.0f, accepted %.0f, duplicate %.0f, last success %.0f"
                        + " (test started %d)%n", succeeded, read, accepted, duplicate, last, startedAt);
                assertTrue(succeeded >= 1, "succeeded runs: " + succeeded);
                assertEquals(200, accepted, "each contact accepted once");
                assertTrue(read >= accepted + duplicate, "read " + read + ", accepted " + accepted + ", duplicate " + duplicate);
                assertTrue(last >= startedAt, "last successful run at " + last);
            }
        }
    }
}
