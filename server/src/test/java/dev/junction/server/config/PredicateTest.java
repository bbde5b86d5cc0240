package dev.junction.server.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.schibsted.spt.data.jslt.Parser;
import org.junit.jupiter.api.Test;

/** Predicates follow JSLT's truth: false, null, 0, "", [] and {} are false; a missing field is null. */
class PredicateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void followsJsltTruthiness() throws Exception {
        JsonNode message = JSON.readTree("""
            {"paid":true,"open":false,"count":0,"total":12.5,"note":"","tags":[],"meta":{},"name":"x","items":[1]}""");

        for (String truthy : new String[] {".paid", ".total", ".name", ".items", ".total > 10", "not(.open)"}) {
            assertTrue(predicate(truthy).test(message), truthy);
        }
        for (String falsy : new String[] {".open", ".count", ".note", ".tags", ".meta", ".missing", ".total > 100"}) {
            assertFalse(predicate(falsy).test(message), falsy);
        }
    }

    private static Predicate predicate(String source) {
        return new Predicate(source, Parser.compileString(source));
    }
}
