package dev.junction.server.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.junction.connectors.api.KeyRule;
import dev.junction.server.testing.TestConfig;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parts of a chaos run that decide its figures: the effect ledger, the inputs, the objectives, the percentiles. */
class ChaosPartsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theLedgerTellsADuplicateEffectFromARedelivery() {
        Ledger ledger = new Ledger();
        ledger.applied("erp", "run-a-1", "m1", 10);
        ledger.applied("erp", "run-a-1", "m1", 20); // the same message again: a redelivery
        ledger.applied("erp", "run-a-2", "m2", 10);
        ledger.applied("erp", "run-a-2", "m3", 30); // one key as two messages: a duplicate effect
        ledger.applied("crm", "run-a-2", "m2", 15); // another system: its own effect

        assertEquals(List.of("erp run-a-2 as 2 messages"), ledger.duplicateEffects("run-a-"));
        assertEquals(List.of(), ledger.duplicateEffects("run-b-"));
        assertEquals(1, ledger.redelivered(Set.of("m1", "m2", "m3")));
        assertEquals(10L, ledger.firstAppliedAt("m2"));
        assertTrue(ledger.appliedAt("crm", "m2"));
        assertTrue(!ledger.appliedAt("crm", "m1"));
    }

    @Test
    void generatedMessagesAreValidCarryTheirKeyAndBadInputSpoilsOneInTen() throws Exception {
        JsonNode schema = JSON.readTree(Files.readString(TestConfig.quickstart().resolve("schemas/webshop-order.schema.json")));
        var validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        JsonNode sample = SchemaSample.of(schema);
        assertEquals(Set.of(), validator.validate(sample), sample.toString());

        Driven byBody = new Driven("orders", "webhook", "shop/orders", null, KeyRule.parse("json:/order/ref", Set.of()), List.of(sample), schema, Map.of(), null, null);
        Inputs.Message third = Inputs.nth(byBody, Scenario.BASELINE, "p-", 3);
        assertEquals("p-orders-3", third.key());
        assertEquals("p-orders-3", third.body().at("/order/ref").asText());
        assertEquals(null, third.header());

        Driven byHeader = new Driven("orders", "webhook", "shop/orders", null, KeyRule.parse("header:Idempotency-Key", Set.of()), List.of(sample), schema, Map.of(), null, null);
        int spoiled = 0;
        for (int n = 0; n < 30; n++) {
            Inputs.Message m = Inputs.nth(byHeader, Scenario.BAD_INPUT, "p-", n);
            assertEquals("Idempotency-Key", m.header());
            assertEquals(m.bad(), !validator.validate(m.body()).isEmpty(), n + ": " + m.body());
            spoiled += m.bad() ? 1 : 0;
        }
        assertEquals(3, spoiled);
    }

    @Test
    void objectivesAreCeilingsAndLostAndDuplicatesAreAlwaysChecked() throws Exception {
        Slos slos = Slos.parse("p99=2s,dead-lettered=1");
        ScenarioResult result = new ScenarioResult("baseline", "", 3, 3, 0, Map.of(), Map.of(), 0, 1, 0, 0, 0, 0, 0, Map.of("http-400", 2),
                List.of(), List.of("erp k as 2 messages"), 0, 0, Latencies.of(List.of(5L)), Latencies.of(List.of(100L, 2500L, 900L)),
                Map.of(), List.of());
        Map<String, Slos.Check> checks = new java.util.HashMap<>();
        slos.check(result).forEach(c -> checks.put(c.name(), c));

        assertEquals(Set.of("lost", "duplicates", "dead-lettered", "p99"), checks.keySet());
        assertTrue(checks.get("lost").passed());
        assertTrue(!checks.get("duplicates").passed());
        assertTrue(!checks.get("dead-lettered").passed());
        assertEquals("2500 ms", checks.get("p99").actual());
        assertTrue(!checks.get("p99").passed());
        assertEquals("--slo p99.9: unknown objective (known: lost, duplicates, dead-lettered, rejected, p50, p90, p95, p99, max, and ingest-p50 ... ingest-max)",
                assertThrows(UsageException.class, () -> Slos.parse("p99.9=1s")).getMessage());
        assertEquals("--slo lost=some: must be a whole number of messages",
                assertThrows(UsageException.class, () -> Slos.parse("lost=some")).getMessage());
    }

    @Test
    void percentilesAreNearestRank() {
        Latencies l = Latencies.of(List.of(5L, 1L, 4L, 2L, 3L, 6L, 7L, 8L, 9L, 10L));
        assertEquals(5L, l.percentile("p50"));
        assertEquals(9L, l.percentile("p90"));
        assertEquals(10L, l.percentile("p99"));
        assertEquals(10L, l.percentile("max"));
        assertEquals(null, Latencies.of(List.of()).percentile("p99"));
    }
}
