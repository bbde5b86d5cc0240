package dev.junction.server.source;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.ContactsApi;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A poll's page requests take their system's rate limit like deliveries do: 5 per second, however fast the API answers. */
class PollRateLimitTest {

    @TempDir
    Path dir;

    @Test
    void pageRequestsKeepToTheSystemsRateLimit() throws Exception {
        int permits = 5;
        try (ContactsApi api = new ContactsApi(200); RecordingTarget target = new RecordingTarget()) {
            Path config = TestConfig.write(dir, """
                junction {
                  systems {
                    crm { connector = http, base-url = "%s", resilience.rate-limit { permits = %d, per = 1s } }
                    erp { connector = http, base-url = "%s" }
                  }
                  integrations {
                    contacts {
                      source { system = crm, poll { path = "/api/contacts?limit=10", every = 100ms, items = "/data",
                               idempotency-key = "json:/revision", watermark { param = updated_since, from = "/updatedAt" },
                               next-page = "json:/paging/next" } }
                      targets = [ { system = erp, http { path = "/erp/contacts" } } ]
                    }
                  }
                }
                """.formatted(api.baseUrl(), permits, target.baseUrl()));
            try (RunningServer server = RunningServer.start(config, dir.resolve("data"), Map.of())) {
                List<String> all = api.currentRevisions();
                Await.until(Duration.ofSeconds(30), () -> target.applied().containsAll(all), () -> target.applied().size() + " of 200");
            }
            List<Long> requests = api.requests().stream().sorted().toList();
            int busiest = 0;
            for (int i = 0; i < requests.size(); i++) {
                int j = i;
                while (j < requests.size() && requests.get(j) < requests.get(i) + 1000) {
                    j++;
                }
                busiest = Math.max(busiest, j - i);
            }
            long span = requests.get(requests.size() - 1) - requests.get(0);
            System.out.printf("poll rate limit %d/s: %d page requests over %d ms, at most %d in one second%n", permits,
                    requests.size(), span, busiest);
            int inOneSecond = busiest;
            // 20 pages at 5 a second: the first 5 at once, the rest as tokens come, so at least 3 s in all.
            assertTrue(requests.size() >= 20, "every page: " + requests.size());
            assertTrue(inOneSecond <= permits + 1, () -> inOneSecond + " page requests in one second");
            assertTrue(span >= 3_000 - 200, () -> requests.size() + " page requests took only " + span + " ms");
        }
    }
}
