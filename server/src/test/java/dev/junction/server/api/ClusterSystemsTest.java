package dev.junction.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the nodes' views of a system become the cluster's. */
class ClusterSystemsTest {

    @Test
    void sumsWhatAddsUpMergesFailuresAndShowsANodeThatDidNotAnswer() throws Exception {
        Map<String, JsonNode> views = new LinkedHashMap<>();
        views.put("node-a", AdminApi.JSON.readTree("""
                [ { "name": "erp", "state": "running", "circuitBreaker": { "state": "closed" }, "inFlight": 3, "queued": 10,
                    "recentFailures": { "http-503": 2 }, "lastSuccess": "2026-12-01T10:00:00Z",
                    "lastFailure": { "at": "2026-12-01T09:00:00Z", "errorClass": "http-503" }, "sources": [] } ]"""));
        views.put("node-b", AdminApi.JSON.readTree("""
                [ { "name": "erp", "state": "running", "circuitBreaker": { "state": "open" }, "inFlight": 1, "queued": 5,
                    "recentFailures": { "http-503": 5, "timeout": 1 }, "lastSuccess": "2026-12-01T09:30:00Z",
                    "lastFailure": { "at": "2026-12-01T10:05:00Z", "errorClass": "timeout" },
                    "sources": [ { "integration": "orders", "state": "connected" } ] } ]"""));
        views.put("node-c", null); // did not answer in time

        List<ObjectNode> merged = ClusterSystems.merge(views);

        assertEquals(1, merged.size());
        ObjectNode erp = merged.get(0);
        assertEquals(4, erp.path("inFlight").asInt());
        assertEquals(15, erp.path("queued").asInt());
        assertEquals(7, erp.path("recentFailures").path("http-503").asInt());
        assertEquals(1, erp.path("recentFailures").path("timeout").asInt());
        assertEquals("2026-12-01T10:00:00Z", erp.path("lastSuccess").asText());
        assertEquals("timeout", erp.path("lastFailure").path("errorClass").asText());
        assertEquals("open", erp.path("circuitBreaker").path("state").asText(), "the most troubled node speaks for the cluster");
        assertEquals("open on 1 of 3 nodes", erp.path("circuitBreakers").path("summary").asText());
        assertEquals("node-b", erp.path("sources").get(0).path("node").asText());
        JsonNode nodes = erp.path("nodes");
        assertEquals(3, nodes.size());
        assertTrue(nodes.get(0).path("answered").asBoolean());
        assertFalse(nodes.get(2).path("answered").asBoolean());
        assertEquals("unknown", nodes.get(2).path("state").asText());
    }

    @Test
    void oneNodeAloneAnswersAsItselfWithItselfUnderNodes() throws Exception {
        Map<String, JsonNode> views = Map.of("node-a", AdminApi.JSON.readTree("""
                [ { "name": "erp", "state": "running", "circuitBreaker": { "state": "closed" }, "inFlight": 2 } ]"""));
        ObjectNode erp = ClusterSystems.merge(views).get(0);
        assertEquals(2, erp.path("inFlight").asInt());
        assertEquals("closed everywhere", erp.path("circuitBreakers").path("summary").asText());
        assertEquals(1, erp.path("nodes").size());
    }
}
