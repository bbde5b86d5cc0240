package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.server.testing.PostgresDatabase;
import dev.junction.server.testing.TestConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chaos --scenario journal-down} on a real PostgreSQL journal: while the proxy in front of it refuses connections the
 * webhook answers 503 (never 202), and every message it did accept is delivered once afterwards.
 */
class ChaosJournalDownIT {
    @TempDir
    Path dir;

    @Test
    void whileTheJournalIsDownNothingIsAcceptedAndNothingAcceptedIsLost() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path report = dir.resolve("report.json");
        Path conf = TestConfig.write(dir.resolve("conf"), TestConfig.webhookToHttp("http://127.0.0.1:1",
                "resilience.retry { max-attempts = 1000, min-backoff = 50ms, max-backoff = 300ms }"));
        try (PostgresDatabase db = PostgresDatabase.create()) {
            int code = ChaosCommand.run(List.of(conf.toString(), "--scenario", "journal-down", "--journal", db.url() + "?user=" + PostgresDatabase.USER,
                            "--rate", "50/s", "--duration", "6s", "--settle", "30s", "--report", report.toString()), Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                    InProcessNode.STARTER);
            String printed = out.toString(StandardCharsets.UTF_8);

            assertEquals(0, code, printed);
            JsonNode s = new ObjectMapper().readTree(report.toFile()).path("scenarios").get(0);
            int accepted = s.path("accepted").asInt();
            int refused = 0;
            for (var e : (Iterable<Map.Entry<String, JsonNode>>) s.path("refused")::fields) {
                assertTrue(e.getKey().startsWith("503"), printed);
                refused += e.getValue().asInt();
            }
            assertEquals(300, s.path("sent").asInt(), printed);
            assertTrue(refused > 0, "the outage took no effect: " + printed);
            assertEquals(300, accepted + refused + s.path("unanswered").asInt(), printed);
            assertEquals(accepted, s.path("delivered").asInt(), printed);
            assertEquals(0, s.path("lost").size(), printed);
            assertEquals(0, s.path("duplicateEffects").size(), printed);
        }
    }
}
