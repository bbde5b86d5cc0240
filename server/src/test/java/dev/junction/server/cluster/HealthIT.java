package dev.junction.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.server.testing.Await;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.RecordingTarget;
import dev.junction.server.testing.RunningServer;
import dev.junction.server.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pekko Management's {@code /ready} follows the journal: false while PostgreSQL refuses connections, true again after. */
class HealthIT {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void readyFollowsTheJournalAndAliveStaysUp() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create(); RecordingTarget target = new RecordingTarget()) {
            Path config = TestConfig.write(dir, TestConfig.webhookToHttp(target.baseUrl(), ""));
            Map<String, String> env = Map.of("JUNCTION_DB_URL", db.url(), "JUNCTION_DB_USER", PostgresDatabase.USER);
            try (RunningServer server = RunningServer.start(config, dir, env)) {
                String management = server.junction().managementUri().toString().replaceAll("/$", "");
                Await.until(Duration.ofSeconds(20), () -> status(management + "/ready") == 200, () -> "never ready");
                assertEquals(200, status(management + "/alive"));

                db.refuseConnections(true);
                Await.until(Duration.ofSeconds(10), () -> status(management + "/ready") != 200, () -> "ready without a journal");
                assertEquals(200, status(management + "/alive"), "a journal outage is no reason to restart the node");

                db.refuseConnections(false);
                Await.until(Duration.ofSeconds(20), () -> status(management + "/ready") == 200, () -> "not ready again");
                assertEquals(200, status(management + "/cluster/members"));
            }
        }
    }

    private static int status(String url) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
