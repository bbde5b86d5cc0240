package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the feed ITs check of a chaos report: two integrations at 20/s for 1 s through `baseline,duplicates`. */
final class ChaosReports {
    private ChaosReports() {}

    /**
     * Baseline: 40 sent, accepted and delivered, each with a latency sample, 0 lost, 0 duplicate effects. Duplicates: 48 sent
     * (8 sent again), 40 accepted, 8 answered as duplicates, 40 delivered, 0 lost, 0 duplicate effects.
     */
    static void assertTwoIntegrationsDrivenCleanly(Path report, String printed) throws IOException {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        new ObjectMapper().readTree(report.toFile()).path("scenarios").forEach(s -> byName.put(s.path("scenario").asText(), s));
        JsonNode baseline = byName.get("baseline");
        assertEquals(40, baseline.path("sent").asInt(), printed);
        assertEquals(40, baseline.path("accepted").asInt(), printed);
        assertEquals(40, baseline.path("delivered").asInt(), printed);
        assertEquals(40, baseline.path("endToEndMillis").path("samples").asInt(), printed);
        assertEquals(0, baseline.path("lost").size(), printed);
        assertEquals(0, baseline.path("duplicateEffects").size(), printed);
        JsonNode duplicates = byName.get("duplicates");
        assertEquals(48, duplicates.path("sent").asInt(), printed);
        assertEquals(40, duplicates.path("accepted").asInt(), printed);
        assertEquals(8, duplicates.path("answeredDuplicate").asInt(), printed);
        assertEquals(40, duplicates.path("delivered").asInt(), printed);
        assertEquals(0, duplicates.path("duplicateEffects").size(), printed);
        assertEquals(0, duplicates.path("lost").size(), printed);
    }
}
