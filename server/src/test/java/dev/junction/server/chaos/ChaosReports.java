package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the feed ITs check of a chaos report: their integrations at 20/s for 1 s through `baseline,duplicates`. */
final class ChaosReports {
    private ChaosReports() {}

    /** Two integrations driven cleanly: see {@link #assertDrivenCleanly}. */
    static void assertTwoIntegrationsDrivenCleanly(Path report, String printed) throws IOException {
        assertDrivenCleanly(report, printed, 2);
    }

    /**
     * For each of {@code integrations}: baseline, 20 sent, accepted and delivered, each with a latency sample, 0 lost, 0
     * duplicate effects; duplicates, 24 sent (4 sent again), 20 accepted, 4 answered as duplicates, 20 delivered, 0 lost, 0
     * duplicate effects.
     */
    static void assertDrivenCleanly(Path report, String printed, int integrations) throws IOException {
        int n = 20 * integrations;
        int again = 4 * integrations;
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        new ObjectMapper().readTree(report.toFile()).path("scenarios").forEach(s -> byName.put(s.path("scenario").asText(), s));
        JsonNode baseline = byName.get("baseline");
        assertEquals(n, baseline.path("sent").asInt(), printed);
        assertEquals(n, baseline.path("accepted").asInt(), printed);
        assertEquals(n, baseline.path("delivered").asInt(), printed);
        assertEquals(n, baseline.path("endToEndMillis").path("samples").asInt(), printed);
        assertEquals(0, baseline.path("lost").size(), printed);
        assertEquals(0, baseline.path("duplicateEffects").size(), printed);
        JsonNode duplicates = byName.get("duplicates");
        assertEquals(n + again, duplicates.path("sent").asInt(), printed);
        assertEquals(n, duplicates.path("accepted").asInt(), printed);
        assertEquals(again, duplicates.path("answeredDuplicate").asInt(), printed);
        assertEquals(n, duplicates.path("delivered").asInt(), printed);
        assertEquals(0, duplicates.path("duplicateEffects").size(), printed);
        assertEquals(0, duplicates.path("lost").size(), printed);
    }
}
